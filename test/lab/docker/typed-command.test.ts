// The document's docker commands typed at the request prompt, read against the step's plan: the builds and the run
// the step has are taken (EP 2's haproxy-tcp with its Dockerfile.haproxy), everything else is refused with what the
// lab takes instead.
import { describe, expect, it } from 'vitest';
import { isDockerLine, parseDockerLine } from '../../../lab/docker/typed-command.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';

const ep10 = loadEpisode('docker-ep10');
const ep2 = loadEpisode('ep2-tcp-proxy');
const ep9 = loadEpisode('ep9-weighted-rr');
const plan = (ep: typeof ep10, id: string) => ep.steps.find((s) => s.id === id)!.docker;
const build10 = plan(ep10, 'write-dockerfile');
const run10 = plan(ep10, 'in-a-container');
const stack2 = plan(ep2, 'in-containers');

describe('docker lines at the request prompt', () => {
  it('tells docker lines from curl lines', () => {
    expect(isDockerLine('docker build -t flask-docker-app .')).toBe(true);
    expect(isDockerLine('sudo docker ps')).toBe(true);
    expect(isDockerLine('docker-compose up --build')).toBe(true);
    expect(isDockerLine('curl http://localhost:5000/')).toBe(false);
    expect(isDockerLine('dockerize x')).toBe(false);
  });

  it("takes EP 10's `docker build -t flask-docker-app .` on a step that builds it", () => {
    expect(parseDockerLine('docker build -t flask-docker-app .', build10)).toEqual({ kind: 'build', tag: 'flask-docker-app', dockerfile: 'Dockerfile' });
    expect(parseDockerLine('docker build --tag=flask-docker-app:latest ./', build10)).toEqual({ kind: 'build', tag: 'flask-docker-app', dockerfile: 'Dockerfile' });
  });

  it("takes EP 2's two builds, each from its own Dockerfile and files; haproxy-tcp without -f is built from Dockerfile.haproxy and says so", () => {
    expect(parseDockerLine('docker build -t flask-app .', stack2)).toEqual({ kind: 'build', tag: 'flask-app', dockerfile: 'Dockerfile', only: ['app.py', 'Dockerfile'] });
    expect(parseDockerLine('docker build -t haproxy-tcp -f Dockerfile.haproxy .', stack2)).toEqual({ kind: 'build', tag: 'haproxy-tcp', dockerfile: 'Dockerfile.haproxy', only: ['haproxy.cfg', 'Dockerfile.haproxy'] });
    const bare = parseDockerLine('docker build -t haproxy-tcp .', stack2);
    expect(bare).toMatchObject({ kind: 'build', dockerfile: 'Dockerfile.haproxy' });
    expect(bare.kind === 'build' && bare.note).toMatch(/^haproxy-tcp's Dockerfile is Dockerfile\.haproxy in your files/);
  });

  it('refuses a build of another image, another Dockerfile, another context, an unknown flag, and no tag', () => {
    expect(parseDockerLine('docker build -t flask-app .', build10)).toEqual({ kind: 'refused', why: 'this step does not build flask-app: this step takes `docker build -t flask-docker-app .`' });
    expect(parseDockerLine('docker build -t haproxy-tcp -f Dockerfile .', stack2)).toEqual({ kind: 'refused', why: 'haproxy-tcp is built from Dockerfile.haproxy in your files, not Dockerfile: `docker build -t haproxy-tcp -f Dockerfile.haproxy .`' });
    expect(parseDockerLine('docker build -t flask-docker-app ..', build10)).toMatchObject({ kind: 'refused', why: expect.stringMatching(/context here is your files; type \./) });
    expect(parseDockerLine('docker build --no-cache -t flask-docker-app .', build10)).toMatchObject({ kind: 'refused', why: expect.stringMatching(/^docker build --no-cache: the lab's build takes -t TAG, -f FILE and the context \. only$/) });
    expect(parseDockerLine('docker build .', build10)).toMatchObject({ kind: 'refused', why: expect.stringMatching(/^docker build needs -t TAG/) });
  });

  it("takes EP 10's `docker run -p 5000:5000 flask-docker-app` on the step that runs it, with the typed host port kept to say it moved", () => {
    expect(parseDockerLine('docker run -p 5000:5000 flask-docker-app', run10)).toEqual({ kind: 'run', image: 'flask-docker-app', port: 5000, typedHostPort: 5000 });
    expect(parseDockerLine('docker run -d --rm -p 127.0.0.1:8080:5000 flask-docker-app:latest', run10)).toEqual({ kind: 'run', image: 'flask-docker-app', port: 5000, typedHostPort: 8080 });
  });

  it('refuses a run without -p, to the wrong container port, on another address, of another image, or with a command', () => {
    expect(parseDockerLine('docker run flask-docker-app', run10)).toMatchObject({ why: expect.stringMatching(/^without -p the app in the container is not reachable/) });
    expect(parseDockerLine('docker run -p 5000:80 flask-docker-app', run10)).toMatchObject({ why: expect.stringMatching(/the app listens on 5000 inside the container/) });
    expect(parseDockerLine('docker run -p 0.0.0.0:5000:5000 flask-docker-app', run10)).toMatchObject({ why: '-p 0.0.0.0:5000:5000: the lab publishes on 127.0.0.1 only' });
    expect(parseDockerLine('docker run -p 5000:5000 flask-app', run10)).toMatchObject({ why: expect.stringMatching(/^this step runs flask-docker-app, not flask-app/) });
    expect(parseDockerLine('docker run -p 5000:5000 flask-docker-app sh', run10)).toMatchObject({ kind: 'refused' });
    expect(parseDockerLine('docker run -p 5000:5000 flask-docker-app', build10)).toMatchObject({ why: expect.stringMatching(/^this step runs no container you type/) });
  });

  it("points EP 2's network runs and EP 9's docker-compose at c, and other docker commands at a shell", () => {
    expect(parseDockerLine('docker run -d --network ep2-net --name flask1 flask-app', stack2)).toMatchObject({ why: expect.stringMatching(/^c runs this step’s containers together on a network the lab makes/) });
    expect(parseDockerLine('docker-compose up --build', plan(ep9, 'compose-stack'))).toMatchObject({ why: expect.stringMatching(/^c brings this step’s stack up/) });
    expect(parseDockerLine('docker ps', run10)).toMatchObject({ why: expect.stringMatching(/^the lab does not take `docker ps` here: this step takes `docker build -t flask-docker-app \.`, `docker run -p 5000:5000 flask-docker-app`; in a shell/) });
    expect(parseDockerLine('docker build -t flask-docker-app .', undefined)).toMatchObject({ kind: 'refused' });
  });
});
