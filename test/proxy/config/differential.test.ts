// Runs `haproxy -c -f FILE` on broken (and valid) configs and checks that our loader raises the same alerts, at the
// same file:line, with the same words. HAProxy stops checking after some errors; we keep going, so its alerts must
// be a subset of ours. Warnings are compared too where both print them for the same line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../proxy/config/diagnostics.ts';
import { loadConfig } from '../../../proxy/load-config.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';

const HEAD = `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
`;

function fe(lines: string[], be: string[] = ['server s1 127.0.0.1:8001']): string {
  return `${HEAD}frontend f\n    bind 127.0.0.1:8000\n${lines.map((l) => `    ${l}\n`).join('')}    default_backend b\nbackend b\n${be.map((l) => `    ${l}\n`).join('')}`;
}

/** name → config text. Every address is on 127.0.0.1 so haproxy -c never needs a resolver. */
const CASES: Record<string, string> = {
  'http-after-response in mode tcp': `defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:8000\n    http-after-response set-header X 1\n    http-response set-header X 1\n    default_backend b\nbackend b\n    server s1 127.0.0.1:8001\n`,
  'valid: http-after-response rules': fe(['http-after-response set-header X 1 if { status 200 }', 'http-after-response allow', 'http-after-response strict-mode off', 'http-after-response set-var(txn.s) status', 'http-after-response replace-value X a b', 'http-after-response del-header Y']),
  'valid: variable rules': fe([
    'http-request set-var(txn.ok) str(a) if { var(txn.b),add(1) -m int 3 }',
    'http-request set-var-fmt(sess.ok) %[var(txn.ok)]x',
    'http-response set-var(res.ok) res.hdr(x)',
  ]),
  'valid: global set-var': `global\n    set-var proc.a int(5)\n    set-var-fmt proc.d %[var(proc.a)]x\n    set-var proc.e str(x) foo\n${fe([])}`,
  'global set-var outside proc': `global\n    set-var txn.a int(5)\n${fe([])}`,
  'global set-var without expression': `global\n    set-var proc.b\n${fe([])}`,
  'global set-var of a request header': `global\n    set-var proc.c req.hdr(x)\n${fe([])}`,
  'unknown keywords with and without hints': fe(['weigth 3', 'balanc roundrobin', 'optoin httplog'], ['balanc roundrobin', 'server s1 127.0.0.1:8001']),
  'unknown global keyword': `global\n    foo bar\n    maxconn 100\n    nbthread\n    daemon 1\n${fe([])}`,
  'out of section': `maxconn 10\n${fe([])}`,
  'old timeouts': fe(['clitimeout 5000', 'contimeout 5000'], ['srvtimeout 5000', 'server s1 127.0.0.1:8001']),
  'bad timeouts': fe(['timeout client 5x', 'timeout client', 'timeout foo 1s', 'timeout queue 1s']),
  'bad binds': fe(['bind', 'bind 127.0.0.1', 'bind 127.0.0.1:abc', 'bind :0', 'bind 127.0.0.1:99999', 'bind 1.2.3.4.5:80', 'bind :8002 bogusopt', 'bind :8003 nmae x']),
  'bind process is deprecated': fe(['bind :8004 process 1']),
  'server errors': fe([], [
    'server s1 127.0.0.1:8001 weigth 2 check',
    'server s2 127.0.0.1:8002 weight 300',
    'server s3 127.0.0.1:8003 rise 0',
    'server s4 127.0.0.1:8004 fall 0',
    'server s5 127.0.0.1:8005 inter',
    'server s6 127.0.0.1:99999',
    'server s7 127.0.0.1:80-81',
    'server s8',
    'server s9 127.0.0.1:8009 id 0',
    'server s10 127.0.0.1:abc',
    'server s11 127.0.0.1:8011 chek',
    'server s12 127.0.0.1:8012 addr bad..addr',
    'default-server foo',
  ]),
  'server in a frontend and defaults': `${HEAD}    server s 127.0.0.1:1\nfrontend f\n    bind 127.0.0.1:8000\n    server s 127.0.0.1:1\n    default-server inter 1s\n`,
  'duplicate server names': fe([], ['server s1 127.0.0.1:8001', 'server s1 127.0.0.1:8002']),
  'duplicate proxy names': `${HEAD}frontend f\n    bind 127.0.0.1:8000\n    default_backend b\nfrontend f\n    bind 127.0.0.1:8001\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`,
  'missing backends': fe(['use_backend nope']).replace('default_backend b', 'default_backend nope2'),
  'http frontend to tcp backend': `${HEAD}frontend f\n    bind 127.0.0.1:8000\n    acl x path /x\n    use_backend c if x\n    default_backend c\nbackend c\n    mode tcp\n    server s 127.0.0.1:1\n`,
  'tcp frontend to http backend is allowed': `${HEAD}frontend t\n    mode tcp\n    bind 127.0.0.1:8000\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`,
  'frontend without bind and missing timeouts': `defaults\n    mode http\nfrontend f\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\nlisten l\n    bind 127.0.0.1:8000\n    server s 127.0.0.1:2\n`,
  'acl declared after use': fe(['use_backend b if later', 'acl later path /x', 'http-request deny if nosuch', 'acl x path_bex /a']),
  'switching rule syntax': fe(['use_backend', 'use_backend b when x']),
  'unknown http-request action': fe(['http-request dney']),
  'final http-request rule': fe(['http-request deny', 'http-request allow']),
  'tcp-request errors': fe(['tcp-request', 'tcp-request foo', 'tcp-request inspect-delay', 'tcp-request inspect-delay 5x', 'tcp-request connection accept foo', 'tcp-request content reject foo'], ['tcp-request connection reject', 'server s1 127.0.0.1:8001']),
  'option errors': fe(['option httplg', 'option bogus', 'no option httplog', 'option httplog bogus', 'option forwardfor bogus', 'option forwardfor except', 'option', 'option http-server-close foo', 'option forceclose']),
  'option capability warnings': fe(['option allbackups', 'option redispatch', 'option httpchk'], ['option dontlognull', 'option logasap', 'option httplog', 'server s1 127.0.0.1:8001']),
  'http-check errors': fe([], ['option httpchk', 'http-check expect status abc', 'http-check expect', 'http-check foo', 'server s1 127.0.0.1:8001']),
  'http-check send': fe([], ['option httpchk', 'http-check send meth', 'http-check send foo', 'http-check send meth GET uri /health ver HTTP/1.1 hdr Host www.example.com', 'http-check send hdr Host', 'server s1 127.0.0.1:8001']),
  'http-check send without httpchk': fe([], ['http-check send meth GET', 'server s1 127.0.0.1:8001']),
  'http-check without httpchk': fe([], ['http-check expect status 200', 'server s1 127.0.0.1:8001']),
  'balance errors': fe(['balance roundrobin'], ['balance roundrobn', 'balance uri len 0', 'balance uri foo', 'balance random(0)', 'balance random(2', 'balance hdr()', 'balance url_param', 'balance url_param id foo', 'hash-type fast', 'server s1 127.0.0.1:8001']),
  'mode errors': fe(['mode foo', 'mode health', 'no mode']),
  'capability warnings': fe(['fullconn 10', 'retries 3'], ['maxconn 10', 'bind :9999', 'server s1 127.0.0.1:8001']),
  'defaults restrictions': `${HEAD}    http-request deny\n    acl x path /x\n    use_backend b\n    bind :80\n    server s 127.0.0.1:1\nfrontend f from nothere\n    bind 127.0.0.1:8000\n`,
  'log errors': `global\n    log\n    log stdout format bogus local0\n    log stdout nofac\n    log global\n    log stdout local0 bogus\n${HEAD}    log foo\n`,
  'global numbers': `global\n    tune.bufsize x\n    tune.http.maxhdr 0\n    maxconn\n    stats socket\n    stats bogus\n${fe([])}`,
  'log-format and stats': fe(['log-format', 'log-format a b', 'stats', 'stats foo', 'stats refresh 5x']),
  'errorfile': fe(['errorfile 999 /dev/null', 'errorfile 503 /nonexistent/503.http', 'errorfile', 'errorfile 503 /dev/null']),
  'removed directives': fe(['block if { path /x }', 'reqadd X-Foo:\\ bar', 'rspadd X', 'redispatch']),
  'tokenizer errors': `${HEAD}frontend f\n    bind 127.0.0.1:8000\n    acl x hdr(a) "unterminated\n    acl y hdr(a) "\${1BAD}"\n    acl z hdr(a) \\xZZ\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`,
  'tcp mode ignores http settings': `${HEAD.replace('mode http', 'mode tcp')}frontend f\n    bind 127.0.0.1:8000\n    option httplog\n    http-request deny\n    option forwardfor\n    stats enable\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`,
  'named defaults and from': `defaults base\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n    acl x path /x\nfrontend g from base\n    bind 127.0.0.1:8000\n    http-request deny if x\n    default_backend b\nbackend b from base\n    server s 127.0.0.1:1\n`,
  'ambiguous defaults name': `defaults d\n    mode http\ndefaults d\n    mode tcp\nbackend b from d\n    server s 127.0.0.1:1\n`,
  'anonymous defaults rules': `defaults\n    acl x path /x\n    tcp-request content reject\n    tcp-request inspect-delay 1s\n    http-response deny\n`,
  'address after frontend name': `frontend f *:80\n    bind 127.0.0.1:8000\n`,
  'defaults chain from': `defaults a\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\ndefaults b from a\n    balance source\nbackend x from b\n    server s 127.0.0.1:1\nfrontend y from a\n    bind 127.0.0.1:8000\n    default_backend x\n`,
  'global keywords': `global\n    nbthread 0\n    stats socket /tmp/x.sock level root\n    nbproc 2\n    maxcon 10\n    stats timeout 5x\n    stats maxconn 0\n    stats foo\n    daemon\n    master-worker\n    pidfile /tmp/x.pid\n${fe([])}`,
  'global arguments missing': `global\n    chroot\n    pidfile\n    uid\n    gid\n    quiet 1\n${fe([])}`,
  'stats socket options': `global\n    stats socket /tmp/x.sock level\n    stats socket /tmp/x.sock levle admin\n    stats socket /tmp/x.sock bogus\n    stats socket /tmp/x.sock mode 600 expose-fd listeners level user\n${fe([])}`,
  'samples in header values': fe([
    'http-request set-header X-A %[nosuch(1)]',
    'http-request set-header X-B %[res.hdr(server)]',
    'http-request set-header X-C %[req.hdr(host),lower,nope]',
    'http-request set-header X-D %[status]',
    'http-response set-header X-E %[path]',
    'http-response set-header X-F %[res.hdr(server),lower]-%[status]-%[method]',
    'http-request set-header X-I %[be_name]',
    'http-request set-header X-J %[srv_name]',
    'http-response set-header X-K %[srv_name]/%[be_id]/%[fe_name]',
  ], ['http-request set-header X-L %[be_name]', 'http-request set-header X-M %[srv_id]', 'http-request set-header X-G %[res.hdr(x)]', 'http-response add-header X-H %[req.hdr(host)]', 'server s1 127.0.0.1:8001']),
  'rewrite action: request set-path': fe(['http-request set-path']),
  'rewrite action: request set-query ""': fe(['http-request set-query ""']),
  'rewrite action: request set-uri /a /b': fe(['http-request set-uri /a /b']),
  'rewrite action: request set-method %[nosuch]': fe(['http-request set-method %[nosuch]']),
  'rewrite action: request replace-path /a': fe(['http-request replace-path /a']),
  'rewrite action: request replace-path ( /b': fe(['http-request replace-path ( /b']),
  'rewrite action: request replace-uri ^/x /y extra': fe(['http-request replace-uri ^/x /y extra']),
  'rewrite action: request replace-header X-A': fe(['http-request replace-header X-A']),
  'rewrite action: request replace-value X-A ^a$': fe(['http-request replace-value X-A ^a$']),
  'rewrite action: request replace-header X-A [ b': fe(['http-request replace-header X-A [ b']),
  'rewrite action: request set-pathq %[res.hdr(x)]': fe(['http-request set-pathq %[res.hdr(x)]']),
  'rewrite action: response set-status': fe(['http-response set-status']),
  'rewrite action: response set-status 42': fe(['http-response set-status 42']),
  'rewrite action: response set-status 2xx': fe(['http-response set-status 2xx']),
  'rewrite action: response set-status 200 reason': fe(['http-response set-status 200 reason']),
  'rewrite action: response replace-header X-B (x) %[path]': fe(['http-response replace-header X-B (x) %[path]']),
  'log-format: a request-header sample': fe(['log-format "X=%[req.hdr(host)] Y=%{+Q}[method]"']),
  'log-format: a response-header sample': fe(['log-format "%[res.hdr(server)]"']),
  'log-format: an unknown fetch': fe(['log-format "%ci %[nosuch]"']),
  'log-format: samples it accepts': fe(['log-format "%[srv_name] %{+Q}[be_name] %[status] %[method,lower] %[str()] %[nbsrv(b)]"']),
  'rewrite actions, valid': fe([
    'http-request replace-path /api(/.*) \\1 if { path_beg /api }',
    'http-request set-query lang=%[req.hdr(x-lang)]',
    'http-request replace-value X-List ^b$ B',
    'http-response set-status 418',
    'http-response set-status 299 reason "Fine Thanks"',
    'http-response replace-header X-Server (.*) srv-\\1',
  ]),
  'response conditions in request rules': fe(['http-request deny if { srv_name s1 }', 'http-request deny if { be_id 1 }', 'use_backend b if { be_name b }', 'http-request deny if { status 200 }', 'use_backend b if { res.hdr(x) -m found }', 'http-response deny if { shdr_sub(x) y } || { scook(sid) -m found } { resp_ver 1.1 }']),
  'conditions that never match': fe(['http-response set-header X 1 if { path /x }', 'tcp-request connection reject if { path /x }', 'acl a path /x', 'tcp-request connection reject if a']),
  'L6 fetches in http mode': fe(['http-request deny if { req.len gt 0 }', 'acl a req.len gt 0', 'use_backend b if a']),
  'typo hints': fe(['defualt_backend b', 'use-backend b', 'timout client 1s', 'opton httplog', 'aclx x path /', 'http-requests deny', 'bnd :80', 'mod http', 'log-fromat %t', 'maxconns 10']),
  'typo hints in backends': fe([], ['serer s 127.0.0.1:1', 'server s 127.0.0.1:1 wieght 2 chck', 'balanc leastconn', 'retires 3', 'option httpcheck', 'fullcon 10', 'default-sever check']),
  'defaults with rules used by both sides': `defaults web\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n    http-request set-header X-A 1\nfrontend g\n    bind 127.0.0.1:9001\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n`,
  'listen from defaults with rules': `defaults web\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n    http-request set-header X-A 1\nlisten l from web\n    bind 127.0.0.1:9002\n    server s 127.0.0.1:80\n`,
  'defaults from defaults with rules': `defaults web\n    mode http\n    http-request set-header X-A 1\ndefaults other from web\n    mode http\n`,
  'backend from defaults with connection rules': `defaults web\n    mode http\n    tcp-request connection reject if { src 127.0.0.66 }\nbackend b from web\n    server s 127.0.0.1:80\n`,
  'explicit and implicit use of a defaults section': `defaults web\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\nfrontend f from web\n    bind 127.0.0.1:9001\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n`,
  'directives': `.if defined(HOME)\n.warning "home set"\n.elif 1\n.warning "x"\n.else\n.endif\n.if streq(a,b) || version_atleast(2.4) && !feature(OPENSSL)\n.warning "masked"\n.endif\n.if version_atleast(2.6) && version_before(2.7)\n.warning "2.6"\n.endif\n.bogus\n.warning a b\n.endif\n${fe([])}`,
  'directive syntax error': `.if 1 x\n.endif\n${fe([])}`,
  'unterminated if': `${fe([])}.if 1\n`,
  'valid: the documents restored': `global\n    log stdout format raw local0\n    maxconn 4096\n\ndefaults\n    log     global\n    mode    http\n    option  httplog\n    option  dontlognull\n    timeout connect 5000ms\n    timeout client  50000ms\n    timeout server  50000ms\n\nfrontend http_front\n    bind *:8080  # a comment\n    acl is_static path_beg /static\n    acl is_mobile_user_agent req.hdr(User-Agent) -i -m sub Mobile\n    acl is_admin_path path_beg /admin\n    acl is_internal_network src 127.0.0.0/8\n    http-request deny if is_admin_path !is_internal_network\n    use_backend static_backend if is_static\n    default_backend servers\n\nbackend static_backend\n    server static1 127.0.0.1:5001 check\n\nbackend servers\n    balance roundrobin\n    server server1 127.0.0.1:5001 weight 2 check\n    server server2 127.0.0.1:5002 weight 1 check\n    server server3 127.0.0.1:5003 weight 3 check\n`,
};

// HAProxy stops reading at the first bad http-request rule, so each gets a config of its own.
for (const rule of [
  'http-request deny deny_status abc',
  'http-request deny deny_status 100',
  'http-request deny deny_status 599',
  'http-request redirect',
  'http-request redirect location',
  'http-request redirect location /x code 305',
  'http-request redirect prefix /p foo',
  'http-request return status 999',
  'http-request return status 200 lf-string %T',
  'http-request return status 200 string a string b',
  'http-request return string hi',
  'http-request return status 304 string x',
  'http-request set-header X',
  'http-request del-header',
  'http-request del-header X Y',
  'http-request allow foo',
  'http-request redirect location /x if nosuch',
  'http-request deny deny_status 403 if { path /x } foo',
  'http-response bogus',
  'http-response set-header X',
  'http-after-response deny',
  'http-after-response strict-mode foo',
  'http-after-response set-status abc',
  'http-after-response set-header X',
  'http-after-response set-var(foo) str(a)',
  'http-after-response set-header X %[req.hdr(host)]',
  'http-request set-var(foo) str(a)',
  'http-request set-var(txn.) str(a)',
  'http-request set-var(txn.a-b) str(a)',
  'http-request set-var(txn.a)',
  'http-request set-var txn.a',
  'http-request set-var(txn.a str(a)',
  'http-request unset-var(txn.a) foo',
  'http-request set-header x %[var(foo)]',
  'http-request set-var(txn.a) res.hdr(x)',
  'http-response set-var(txn.a) str(x),set-var(bar)',
  'http-request set-var(txn.a) nosuch',
  'http-request set-var() int(1)',
  'acl x var(txn.b) 3',
]) {
  CASES[`rule: ${rule}`] = fe([rule]);
}

/** The environment both sides see, for "${VAR}" expansion. */
const ENV: Record<string, string> = { LAB_PORT: '8080', LAB_WORDS: 'a  b c', LAB_EMPTY: '', LAB_HOST: '127.0.0.1' };

// Addresses are expanded a second time by str2sa_range(), whatever the quoting; unset names give nothing.
Object.assign(CASES, {
  'env: a single-quoted ${VAR} in an address is expanded': fe(["bind '127.0.0.1:${LAB_PORT}'"], ["server s1 '${LAB_HOST}:${LAB_PORT}'", "log '${LAB_HOST}:514' local0"]),
  'env: unquoted $VAR and ${VAR} in addresses': fe(['bind 127.0.0.1:$LAB_PORT', 'bind ${LAB_HOST}:1${LAB_PORT}'], ['server s1 $LAB_HOST:$LAB_PORT']),
  'env: an empty variable as the host is any address': fe(['bind "${LAB_EMPTY}:8125"']),
  'env: an unset variable as the port leaves no port': fe(['bind "127.0.0.1:${LAB_UNSET}"']),
  'env: an unset variable single-quoted leaves no port either': fe(["bind '127.0.0.1:${LAB_UNSET}'"]),
  'env: a default value in double quotes': fe(['bind "127.0.0.1:${LAB_UNSET-8123}"']),
  'env: a port followed by letters keeps its digits': fe(['bind "127.0.0.1:${LAB_PORT}x"', 'bind 127.0.0.1:8001x']),
  'env: letters as the port are an alert with the expanded text': fe(["bind '${LAB_HOST}:abc'"]),
  'env: an unset host variable': fe(["bind '${LAB_UNSET}:8126'"], ["server s1 '${LAB_UNSET}:8001'"]),
  'stats options': `${HEAD}listen st\n    bind 127.0.0.1:8000\n    stats enable\n    stats auth nocolon\n    stats auth a:b\n    stats realm R\n    stats scope .\n    stats hide-version\n    stats show-node\n    stats show-desc d\n    stats show-legends\n    stats admin if TRUE\n    stats refresh 5s\n    server s 127.0.0.1:1\n`,
  'stats option errors': `${HEAD}listen st\n    bind 127.0.0.1:8000\n    stats auth\n    stats realm\n    stats scope\n    stats admin\n    stats admin foo\n    server s 127.0.0.1:1\n`,
  'log sample errors': `global\n    log 127.0.0.1:514 sample 5:3 local0\n${fe([])}`,
  'log sample without a size': `global\n    log 127.0.0.1:514 sample 1 local0\n${fe([])}`,
  'log sample with a bad range': `global\n    log 127.0.0.1:514 sample a:3 local0\n${fe([])}`,
  'log sample of size zero': `global\n    log 127.0.0.1:514 sample 1:0 local0\n${fe([])}`,
  'log to UNIX sockets with len, format and sample, log-tag and log-send-hostname': `global\n    log /dev/log len 200 format rfc5424 sample 1,3-4:5 local0 info\n    log unix@/tmp/x.sock local1\n    log-tag t\n    log-send-hostname h\n${fe(['log-tag fe', 'log /tmp/y.sock len 100 format short sample 1:2 daemon'])}`,
  'log options out of order': `global\n    log /tmp/y.sock sample 1:2 format short local0\n${fe([])}`,
  'log-tag without a tag': `global\n    log-tag\n${fe([])}`,
  'bind and log on localhost': `global\n    log localhost:514 local0\n${fe(['bind localhost:8127'], ['server s1 localhost:8001', 'log localhost:5140 local1'])}`,
});

// Cookie persistence keywords: HAProxy's verdicts and words (cfgparse-listen.c, server.c).
Object.assign(CASES, {
  'valid: cookie persistence keywords': fe([], [
    'cookie SRV insert indirect nocache postonly httponly secure domain .a.com domain .b.org maxidle 30m maxlife 1d attr SameSite=Lax dynamic',
    'dynamic-cookie-key k', 'option persist', 'force-persist if { hdr(x) 1 }', 'ignore-persist unless { path_beg / }',
    'server s1 127.0.0.1:8001 cookie a', 'default-server cookie d', 'server s2 127.0.0.1:8002',
  ]),
  'cookie mode conflicts': fe([], ['cookie A insert rewrite', 'cookie B rewrite indirect', 'cookie C preserve', 'server s1 127.0.0.1:8001']),
  'cookie argument errors': fe([], ['cookie', 'cookie A insert bogus', 'cookie B domain', 'cookie C domain a/b', 'cookie D maxidle', 'cookie E maxlife 5x', 'cookie F attr', 'cookie G attr a;b', 'server s1 127.0.0.1:8001 cookie']),
  'cookie warnings: a domain without a dot, cookie in a frontend': fe(['cookie X insert', 'dynamic-cookie-key k'], ['cookie A insert domain localhost', 'server s1 127.0.0.1:8001']),
  'cookie on a server in mode tcp': `defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\nlisten l\n    bind 127.0.0.1:8000\n    cookie A insert\n    server s1 127.0.0.1:8001 cookie a\n`,
  'monitor errors': `${HEAD}    monitor fail if TRUE\n${fe(['monitor-uri', 'monitor-uri /a /b', 'monitor foo', 'monitor fail', 'monitor fail if { nosuchfetch }'], ['monitor-uri /x', 'server s1 127.0.0.1:8001'])}`,
  'valid: monitor-uri and monitor fail': fe(['monitor-uri /health', 'monitor fail if { nbsrv(b) lt 1 }', 'monitor fail unless TRUE']),
  'persist rule errors': `${HEAD}    force-persist if TRUE
${fe(['ignore-persist if TRUE'], ['force-persist', 'ignore-persist foo', 'force-persist if { nosuchfetch }', 'dynamic-cookie-key', 'server s1 127.0.0.1:8001'])}`,
});

// .notice prints its argument as HAProxy's tokenizer produced it: a direct check of quoting and escapes.
CASES['tokenizer: words as .notice shows them'] = [
  '.notice "a\\x41b"',
  ".notice 'single \\n quoted'",
  '.notice "tab\\there"',
  '.notice a\\ b',
  '.notice "\\#not-a-comment"  # a comment',
  '.notice "\\"quoted\\""',
  '.notice x"y"\'z\'',
  '.notice "${LAB_PORT}:$LAB_PORT"',
  ".notice '${LAB_PORT}'",
  '.notice "${LAB_NOPE-default}"',
  '.notice "${LAB_EMPTY-default}"',
  '.notice "\\$LAB_PORT"',
  '.notice "${LAB_WORDS}"',
  '.notice "${.LINE}"',
  '.notice "${.FILE}"',
].join('\n') + `\n${fe([])}`;

interface Line {
  severity: 'alert' | 'warning' | 'notice';
  text: string;
}

/** HAProxy prints these as [ALERT] yet still accepts the config; we report them as warnings. */
const NON_FATAL_ALERTS = /is explicitly referenced by another proxy and implicitly used here/;

const PREFIX = /^\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\) : (?:config : )?/;
const SUMMARY = /^(Error\(s\) found in configuration file|Fatal errors found in configuration|Failed to initialize server\(s\) addr|Some warnings|Warnings were found)/;

// HAProxy's stderr as message lines (continuation lines glued back), without the summary lines.
function haproxyLines(stderr: string): Line[] {
  const out: Line[] = [];
  for (const raw of stderr.split('\n')) {
    const m = PREFIX.exec(raw);
    if (m) {
      const text = raw.slice(m[0].length);
      const severity = m[1] === 'NOTICE' ? 'notice' : m[1] === 'ALERT' && !NON_FATAL_ALERTS.test(text) ? 'alert' : 'warning';
      // Only the notices a .notice directive prints are compared (the others are HAProxy's start-up lines).
      if (!SUMMARY.test(text) && (severity !== 'notice' || text.startsWith('parsing ['))) out.push({ severity, text });
    } else if (raw.startsWith('[NOTICE]')) {
      continue;
    } else if (out.length > 0 && raw.trim() !== '' && !raw.startsWith('Configuration file') && !raw.startsWith('Warnings were found')) {
      out[out.length - 1]!.text += `\n${raw}`;
    }
  }
  return out;
}

function ourLines(file: string): Line[] {
  return loadConfig({ files: [file] }, { env: ENV })
    .diagnostics.filter((d) => d.severity !== 'notice' || /^'/.test(d.message))
    .map((d) => ({ severity: d.severity as Line['severity'], text: formatDiagnostic(d, 0).replace(PREFIX, '') }));
}

const dir = hasHaproxy ? mkdtempSync(join(tmpdir(), 'cfg-diff-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasHaproxy)('our alerts match `haproxy -c` (skipped: haproxy not installed)', () => {
  Object.entries(CASES).forEach(([name, text], i) => {
    it(`${name}`, () => {
      const file = join(dir, `case-${i}.cfg`);
      writeFileSync(file, text);
      const real = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin', ...ENV } });
      const theirs = haproxyLines(real.stderr + real.stdout);
      const ours = ourLines(file);
      const theirAlerts = theirs.filter((l) => l.severity === 'alert').map((l) => l.text);
      const ourAlerts = ours.filter((l) => l.severity === 'alert').map((l) => l.text);
      // Every alert HAProxy prints, we print word for word (HAProxy stops earlier, so we may print more).
      for (const a of theirAlerts) expect(ourAlerts).toContain(a);
      // A config HAProxy accepts, we accept; one it refuses, we refuse.
      expect(ourAlerts.length === 0).toBe(real.status === 0);
      // Warnings: when HAProxy got through the whole config (no alert), ours must include all of its warnings.
      if (theirAlerts.length === 0) {
        for (const severity of ['warning', 'notice'] as const) {
          const ourLines = ours.filter((l) => l.severity === severity).map((l) => l.text);
          for (const w of theirs.filter((l) => l.severity === severity)) expect(ourLines).toContain(w.text);
        }
      }
    });
  });
});
