import { VERSION } from './version.js';
// Help texts only: `mcpool --help` loads this file and nothing heavier.
export const MAIN_HELP = `mcpool ${VERSION}: many MCP servers as one

Usage:
  mcpool serve [--config FILE] [--http [HOST:]PORT] [options]
  mcpool check [--config FILE] [--timeout MS] [--json]
  mcpool help [serve | check | config]

Commands:
  serve   Run the gateway: one MCP server in front of every configured server,
          over stdio (for desktop hosts) or Streamable HTTP
  check   Connect to every configured server and print its health, latency and tools
  help    Show help for a command, or "help config" for the configuration file

Options:
  -h, --help       Show help (after a command: that command's help)
  -v, --version    Print the version
`;
export const SERVE_HELP = `Usage: mcpool serve [options]

Serves every server of the configuration as one MCP server. Without --http it
speaks MCP on stdin/stdout, for a desktop host that starts it:
  { "mcpServers": { "pool": { "command": "mcpool", "args": ["serve", "--config", "/path/mcpool.json"] } } }

Options:
  -c, --config FILE         Configuration file (default: ./mcpool.json)
      --http [HOST:]PORT    Serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio
                            (HOST defaults to 127.0.0.1; overrides http.host/http.port)
      --token TOKEN         Require "Authorization: Bearer TOKEN" over HTTP; prefer the
                            MCPOOL_TOKEN environment variable (arguments are visible in ps)
      --allow-host NAME     Also accept this Host header (repeatable); loopback names are
                            always accepted; needed when clients reach you by another name
      --allow-origin ORIGIN Also accept this browser Origin (repeatable)
      --metrics [HOST:]PORT Serve Prometheus metrics at http://HOST:PORT/metrics
      --log FILE            Write JSON logs (pino) to FILE, or "-" for stderr
      --log-level LEVEL     trace, debug, info, warn or error (default: info)
  -h, --help                Show this help

Over HTTP, GET /healthz answers 200 while the process serves and GET /readyz
200 while it takes new sessions. On SIGTERM /readyz turns 503, new sessions are
refused, calls in flight get timeouts.drain ms (default 30000), then it exits 0.
MCPOOL_SESSION_SECRET (32+ random characters; several, comma-separated, newest
first, to rotate) seals session ids so that replicas sharing it serve any session.

Each downstream client gets its own upstream sessions; servers marked
"stateless": true share one pool among all clients.
`;
export const CHECK_HELP = `Usage: mcpool check [options]

Connects to every configured server in parallel, pings it and lists its tools,
then prints a table. Exits 1 when any server is down.

Options:
  -c, --config FILE   Configuration file (default: ./mcpool.json)
      --timeout MS    Budget to connect to and ping each server (default: 10000)
      --json          Print JSON instead of the table
  -h, --help          Show this help

Only names and figures are printed: no URL, command, header or environment value.
`;
export const CONFIG_HELP = `The configuration file is the "mcpServers" format desktop hosts use, plus
mcpool's options (all optional):

{
  "mcpServers": {
    "calc-1": { "command": "node", "args": ["calc.js"], "env": { "KEY": "\${env:CALC_KEY}" } },
    "calc-2": { "url": "http://127.0.0.1:8081/mcp", "headers": { "Authorization": "Bearer \${env:TOKEN}" } },
    "search": { "url": "http://127.0.0.1:8082/mcp", "stateless": true, "weight": 2 }
  },
  "strategy": "round_robin",        // round_robin, weighted, least_connections, priority,
                                    // random, p2c, p2c_ewma, consistent_hash
  "aggregation": "first",           // first, all, fastest, majority
  "namespacing": { "policy": "prefix-on-conflict", "separator": "__" },
  "timeouts": { "connect": 30000, "request": 30000, "attempt": 10000, "idle": 300000 },
  "retries": { "max": 3, "safeTools": ["search"], "unsafeTools": [], "budget": { "ratio": 0.2 } },
  "fallback": { "enabled": true, "order": ["calc-1", "calc-2"] },
  "maxConnectionsPerServer": 1,
  "health": { "interval": 10000 },  // needs @mcpool/health
  "breaker": { "volumeThreshold": 5 },  // needs @mcpool/circuit-breaker
  "cache": { "ttl": { "tool": 5000 } },  // needs @mcpool/cache
  "telemetry": { "endpoint": "http://127.0.0.1:4318", "samplingRatio": 0.1 },
                                    // OTLP traces; needs @mcpool/opentelemetry and the
                                    // OpenTelemetry SDK; OTEL_* variables win
  "discovery": { "kubernetes": { "service": "mcp-servers" } },  // needs @mcpool/discovery;
            // or dns, consul, etcd, file; also "settle", "maxRemoveRatio", "minServers"
  "http": { "host": "127.0.0.1", "port": 3333, "token": "\${env:MCPOOL_TOKEN}",
            "allowedHosts": [], "allowedOrigins": [], "maxBodyBytes": 4194304,
            "maxSessions": 100, "sessionSecret": "\${env:MCPOOL_SESSION_SECRET}" }
}

With "discovery", "mcpServers" may be left out. Server entries also take
"stateless", "sessionState", "weight", "priority", "tags",
"maxConnections" and "disabled". "\${env:NAME}" is replaced by the environment
variable NAME anywhere in the file. (The file is JSON: no comments.)
`;
//# sourceMappingURL=cli-help.js.map