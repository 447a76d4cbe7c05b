package wire

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
)

// WriteResult writes a successful response in the protocol's shape.
//   - JSON protocols: result is marshalled with encoding/json (nil → {}).
//   - awsQuery: result is the <OpResult> element's content (a struct with xml tags).
//   - ec2Query: result is the <OpResponse> element's content.
//   - restXml: result is a Raw, or a struct marshalled as the document.
//   - any protocol: a Raw is written as is.
func WriteResult(w http.ResponseWriter, p Protocol, r *Request, xmlns string, result any) {
	w.Header().Set("x-amzn-RequestId", r.RequestID)
	w.Header().Set("x-amz-request-id", r.RequestID)
	if raw, ok := result.(Raw); ok {
		writeRaw(w, raw)
		return
	}
	if raw, ok := result.(*Raw); ok {
		writeRaw(w, *raw)
		return
	}
	switch p {
	case JSON10, JSON11, RestJSON:
		body := []byte("{}")
		if result != nil {
			b, err := json.Marshal(result)
			if err != nil {
				WriteError(w, p, r, xmlns, &Error{Status: 500, Code: "InternalFailure", Message: err.Error(), Server: true})
				return
			}
			body = b
		}
		w.Header().Set("Content-Type", jsonContentType(p))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(200)
		w.Write(body)
	case Query:
		inner, err := innerXML(result)
		if err != nil {
			WriteError(w, p, r, xmlns, &Error{Status: 500, Code: "InternalFailure", Message: err.Error(), Server: true})
			return
		}
		var b bytes.Buffer
		b.WriteString(`<` + r.Operation + `Response xmlns="` + xmlns + `">`)
		b.WriteString(`<` + r.Operation + `Result>` + inner + `</` + r.Operation + `Result>`)
		b.WriteString(`<ResponseMetadata><RequestId>` + r.RequestID + `</RequestId></ResponseMetadata>`)
		b.WriteString(`</` + r.Operation + `Response>`)
		writeXML(w, 200, b.Bytes())
	case EC2Query:
		inner, err := innerXML(result)
		if err != nil {
			WriteError(w, p, r, xmlns, &Error{Status: 500, Code: "InternalFailure", Message: err.Error(), Server: true})
			return
		}
		var b bytes.Buffer
		b.WriteString(`<` + r.Operation + `Response xmlns="` + xmlns + `">`)
		b.WriteString(`<requestId>` + r.RequestID + `</requestId>` + inner)
		b.WriteString(`</` + r.Operation + `Response>`)
		writeXML(w, 200, b.Bytes())
	case RestXML:
		if result == nil {
			w.WriteHeader(200)
			return
		}
		body, err := xml.Marshal(result)
		if err != nil {
			WriteError(w, p, r, xmlns, &Error{Status: 500, Code: "InternalError", Message: err.Error(), Server: true})
			return
		}
		writeXML(w, 200, append([]byte(xml.Header), body...))
	}
}

// WriteError writes err in the protocol's error shape. Errors that are not
// *Error become a 500 InternalFailure.
func WriteError(w http.ResponseWriter, p Protocol, r *Request, xmlns string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: 500, Code: "InternalFailure", Message: err.Error(), Server: true}
	}
	if e.Status == 0 {
		e.Status = 400
	}
	for k, v := range e.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("x-amzn-RequestId", r.RequestID)
	switch p {
	case JSON10, JSON11, RestJSON:
		body := map[string]any{"__type": e.Code, "message": e.Message}
		for k, v := range e.Fields {
			body[k] = v
		}
		b, _ := json.Marshal(body)
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		w.Header().Set("Content-Type", jsonContentType(p))
		w.WriteHeader(e.Status)
		w.Write(b)
	case Query:
		kind := "Sender"
		if e.Server {
			kind = "Receiver"
		}
		var b bytes.Buffer
		b.WriteString(`<ErrorResponse xmlns="` + xmlns + `"><Error><Type>` + kind + `</Type><Code>`)
		xml.EscapeText(&b, []byte(e.Code))
		b.WriteString(`</Code><Message>`)
		xml.EscapeText(&b, []byte(e.Message))
		b.WriteString(`</Message></Error><RequestId>` + r.RequestID + `</RequestId></ErrorResponse>`)
		writeXML(w, e.Status, b.Bytes())
	case EC2Query:
		var b bytes.Buffer
		b.WriteString(`<Response><Errors><Error><Code>`)
		xml.EscapeText(&b, []byte(e.Code))
		b.WriteString(`</Code><Message>`)
		xml.EscapeText(&b, []byte(e.Message))
		b.WriteString(`</Message></Error></Errors><RequestID>` + r.RequestID + `</RequestID></Response>`)
		writeXML(w, e.Status, b.Bytes())
	case RestXML:
		var b bytes.Buffer
		b.WriteString(xml.Header + `<Error><Code>`)
		xml.EscapeText(&b, []byte(e.Code))
		b.WriteString(`</Code><Message>`)
		xml.EscapeText(&b, []byte(e.Message))
		b.WriteString(`</Message><RequestId>` + r.RequestID + `</RequestId></Error>`)
		writeXML(w, e.Status, b.Bytes())
	}
}

func jsonContentType(p Protocol) string {
	switch p {
	case JSON10:
		return "application/x-amz-json-1.0"
	case JSON11:
		return "application/x-amz-json-1.1"
	}
	return "application/json"
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func writeRaw(w http.ResponseWriter, raw Raw) {
	for k, vs := range raw.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if raw.Status == 0 {
		raw.Status = 200
	}
	if raw.Body != nil {
		w.Header().Set("Content-Length", strconv.Itoa(len(raw.Body)))
	}
	w.WriteHeader(raw.Status)
	w.Write(raw.Body)
}

// innerXML marshals v and returns the content of its outer element, so the
// caller can wrap it in the element the protocol wants.
func innerXML(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		return "", err
	}
	b := buf.Bytes()
	s := string(b)
	start := bytes.IndexByte(b, '>')
	if start < 0 {
		return "", nil
	}
	if b[start-1] == '/' { // <X/>
		return "", nil
	}
	end := bytes.LastIndexByte(b, '<')
	if end <= start {
		return "", nil
	}
	return s[start+1 : end], nil
}
