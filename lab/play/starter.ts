// The config `lab play` opens without a FILE: small, valid, and worth changing (weights, an ACL, a second backend).
export const STARTER_CONFIG = `# lab play's starter config: edit it (e or i), every save is applied live.
# The servers' addresses lead nowhere on this machine: the lab stands in for each one (it names itself).
global
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client  30s
    timeout server  30s

frontend web
    bind *:80
    acl is_api path_beg /api
    use_backend api if is_api
    default_backend app

backend app
    balance roundrobin
    server web1 10.0.0.11:8080 weight 2 check
    server web2 10.0.0.12:8080 weight 1 check

backend api
    server api1 api.internal:9000 check
`;
