// The same config and the same requests through real HAProxy 2.6 and through our engine: every request must get
// the same status, the same answering server (or the same error page) and the same Location.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type AskOptions, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

interface Step {
  readonly path?: string;
  readonly opts?: AskOptions;
  readonly repeat?: number;
}

interface Scenario {
  readonly name: string;
  readonly config: string;
  readonly steps: readonly Step[];
  /** Reuse client connections (keep-alive) instead of one connection per request. */
  readonly keepAlive?: boolean;
}

const DEFAULTS = `
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    retries 0
`;

const backend = (body: string) => `${DEFAULTS}
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
${body}`;

const many = (n: number, path = '/'): Step => ({ path, repeat: n });

const scenarios: Scenario[] = [
  {
    name: "EP 9's weighted round robin (weights 2/1/3) in HAProxy's exact order",
    config: backend(`    balance roundrobin
    server server1 127.0.0.1:{{srv:app1}} weight 2
    server server2 127.0.0.1:{{srv:app2}} weight 1
    server server3 127.0.0.1:{{srv:app3}} weight 3`),
    steps: [many(24), many(6, '/data')],
  },
  {
    name: 'weighted round robin over keep-alive connections balances every request',
    keepAlive: true,
    config: backend(`    balance roundrobin
    server server1 127.0.0.1:{{srv:app1}} weight 2
    server server2 127.0.0.1:{{srv:app2}} weight 1
    server server3 127.0.0.1:{{srv:app3}} weight 3`),
    steps: [many(18)],
  },
  {
    name: 'roundrobin with weights 5/0/7/1 skips the weight-0 server',
    config: backend(`    balance roundrobin
    server a 127.0.0.1:{{srv:app1}} weight 5
    server b 127.0.0.1:{{srv:app2}} weight 0
    server c 127.0.0.1:{{srv:app3}} weight 7
    server d 127.0.0.1:{{srv:app4}} weight 1`),
    steps: [many(26)],
  },
  {
    name: 'static-rr with weights 2/1/3',
    config: backend(`    balance static-rr
    server server1 127.0.0.1:{{srv:app1}} weight 2
    server server2 127.0.0.1:{{srv:app2}} weight 1
    server server3 127.0.0.1:{{srv:app3}} weight 3`),
    steps: [many(18)],
  },
  {
    name: 'leastconn with sequential requests',
    config: backend(`    balance leastconn
    server a 127.0.0.1:{{srv:app1}}
    server b 127.0.0.1:{{srv:app2}} weight 2
    server c 127.0.0.1:{{srv:app3}}`),
    steps: [many(12)],
  },
  {
    name: 'first fills servers in id order',
    config: backend(`    balance first
    server a 127.0.0.1:{{srv:app1}} maxconn 2
    server b 127.0.0.1:{{srv:app2}} maxconn 2`),
    steps: [many(6)],
  },
  {
    name: 'source hashing sends each client address to its own server',
    config: backend(`    balance source
    server a 127.0.0.1:{{srv:app1}}
    server b 127.0.0.1:{{srv:app2}} weight 2
    server c 127.0.0.1:{{srv:app3}}`),
    steps: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.9', '127.1.2.3', '127.200.0.1', '127.0.0.2'].map((a) => ({
      path: '/', opts: { localAddress: a },
    })),
  },
  {
    name: 'uri hashing (whole) and url_param with a fallback to round robin',
    config: `${DEFAULTS}
frontend fe
    bind 127.0.0.1:{{port}}
    use_backend by_param if { path_beg /p }
    default_backend by_uri
backend by_uri
    balance uri whole
    server a 127.0.0.1:{{srv:app1}}
    server b 127.0.0.1:{{srv:app2}}
    server c 127.0.0.1:{{srv:app3}}
backend by_param
    balance url_param user
    server a 127.0.0.1:{{srv:app1}}
    server b 127.0.0.1:{{srv:app2}}
    server c 127.0.0.1:{{srv:app3}}`,
    steps: ['/a', '/b?x=1', '/c/d', '/a', '/zzz', '/p?user=alice', '/p?user=bob', '/p?user=carol', '/p', '/p', '/p?other=1', '/p?user=alice']
      .map((path) => ({ path })),
  },
  {
    name: 'hdr(host) hashing, and round robin when the header is absent',
    config: backend(`    balance hdr(X-Tenant)
    server a 127.0.0.1:{{srv:app1}}
    server b 127.0.0.1:{{srv:app2}}
    server c 127.0.0.1:{{srv:app3}}`),
    steps: [
      ...['acme', 'globex', 'initech', 'acme', 'umbrella'].map((t) => ({ path: '/', opts: { headers: { 'X-Tenant': t } } })),
      many(4),
    ],
  },
  {
    name: 'backup servers take over only when no active server is usable',
    config: backend(`    balance roundrobin
    server a 127.0.0.1:{{srv:app1}} disabled
    server b 127.0.0.1:{{srv:app2}} disabled
    server bk1 127.0.0.1:{{srv:app3}} backup
    server bk2 127.0.0.1:{{srv:app4}} backup`),
    steps: [many(5)],
  },
  {
    name: 'option allbackups spreads over every backup',
    config: backend(`    balance roundrobin
    option allbackups
    server a 127.0.0.1:{{srv:app1}} disabled
    server bk1 127.0.0.1:{{srv:app3}} backup weight 2
    server bk2 127.0.0.1:{{srv:app4}} backup`),
    steps: [many(6)],
  },
  {
    name: 'no usable server at all is a 503 with HAProxy\'s page',
    config: backend(`    server a 127.0.0.1:{{srv:app1}} disabled`),
    steps: [many(2)],
  },
  {
    name: "EP 4's ACL examples route, deny and redirect the same way",
    config: `${DEFAULTS}
frontend fe
    bind 127.0.0.1:{{port}}
    acl is_static path_beg /static
    acl block_ip src 127.66.0.0/16
    acl is_post_method method POST
    acl is_submit_path path_beg /submit
    acl is_mobile_user_agent req.hdr(User-Agent) -i -m sub Mobile
    acl is_admin_path path_beg /admin
    acl is_internal_network src 127.10.0.0/16
    http-request deny if block_ip
    http-request deny if is_admin_path !is_internal_network
    http-request redirect location /new-home code 301 if { path /old-home }
    http-request return status 200 content-type text/plain string pong if { path /ping }
    use_backend static_backend if is_static
    use_backend post_backend if is_post_method is_submit_path
    use_backend mobile_backend if is_mobile_user_agent
    default_backend general_backend
backend static_backend
    server static1 127.0.0.1:{{srv:app1}}
backend post_backend
    server app2 127.0.0.1:{{srv:app2}}
backend mobile_backend
    server mobile1 127.0.0.1:{{srv:app3}}
backend general_backend
    server app1 127.0.0.1:{{srv:app4}}`,
    steps: [
      { path: '/' },
      { path: '/static/logo.png' },
      { path: '/staticfile' },
      { path: '/x/static' },
      { path: '/submit', opts: { method: 'POST' } },
      { path: '/submit', opts: { method: 'GET' } },
      { path: '/other', opts: { method: 'POST' } },
      { path: '/', opts: { headers: { 'User-Agent': 'Mozilla/5.0 (iPhone) Mobile/15E148' } } },
      { path: '/', opts: { headers: { 'User-Agent': 'curl/8 mobile' } } },
      { path: '/', opts: { localAddress: '127.66.0.5' } },
      { path: '/', opts: { localAddress: '127.67.0.5' } },
      { path: '/admin', opts: { localAddress: '127.0.0.1' } },
      { path: '/admin/users', opts: { localAddress: '127.10.3.4' } },
      { path: '/administrator', opts: { localAddress: '127.0.0.1' } },
      { path: '/old-home' },
      { path: '/ping' },
    ],
  },
];

describe.skipIf(!hasHaproxy)('engine and real HAProxy 2.6 answer the same traffic the same way', () => {
  let backends: NamedBackends;

  beforeAll(async () => {
    backends = await startNamedBackends(['app1', 'app2', 'app3', 'app4']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  async function run(port: number, s: Scenario): Promise<string[]> {
    const agent = s.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    const out: string[] = [];
    try {
      for (const step of s.steps) {
        for (let i = 0; i < (step.repeat ?? 1); i++) {
          const a = await ask(port, step.path ?? '/', { ...step.opts, agent });
          const location = a.headers['location'] ? ` -> ${String(a.headers['location'])}` : '';
          out.push(`${step.opts?.method ?? 'GET'} ${step.path ?? '/'}: ${a.status} ${a.body.trim()}${location}`);
        }
      }
    } finally {
      agent?.destroy();
    }
    return out;
  }

  for (const s of scenarios) {
    it(s.name, async () => {
      const cfg = fillServers(s.config, backends.servers) + '\n';
      const real = await startHaproxy(cfg);
      let expected: string[];
      try {
        expected = await run(real.port, s);
      } finally {
        await real.stop();
      }
      const ours = await startEngine(cfg);
      let actual: string[];
      try {
        actual = await run(ours.port, s);
      } finally {
        await ours.stop();
      }
      if (process.env.PARITY_DEBUG) console.log(s.name, expected);
      expect(actual).toEqual(expected);
    });
  }
});
