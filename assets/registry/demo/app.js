// castle's demo app: a small web server to check that a container runs.
const express = require("express");

const app = express();
const port = Number(process.env.PORT || 3000);
const started = new Date();

app.get("/", (req, res) => {
  res.type("html").send(
    "<h1>Hello from your castle</h1>" +
      "<p>This page is served by a container running on AWS.</p>" +
      "<p>Up since " + started.toISOString() + ".</p>"
  );
});

// The load balancer and ECS ask this path whether the app is healthy.
app.get("/health", (req, res) => {
  res.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) });
});

const server = app.listen(port, () => {
  console.log("demo app listening on port " + port);
});

// ECS stops tasks with SIGTERM: finish the requests in flight, then exit.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
