package journal

import "errors"

// errWouldBlock is what lockFile returns when another process (or another
// Open in this one) holds the lock. Open turns it into ErrLocked.
var errWouldBlock = errors.New("lock held elsewhere")
