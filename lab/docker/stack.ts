// A step's containers on a network of their own, as the document runs them by hand: the images built from the
// learner's Dockerfiles, the apps started first, then the proxy published on a free 127.0.0.1 port. The proxy's log
// says which server took each connection; each app's access log says what really reached it.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { LAB_LABEL } from '../runtimes/docker-images.ts';
import { onLabExit } from '../runtimes/exit-hooks.ts';
import { pidAlive } from '../runtimes/state-dir.ts';
import { buildLearnerImage, buildSummary, pruneReplacedLearnerImages, type LearnerBuild } from './learner-image.ts';
import { OWNER_LABEL, runLearnerContainer, type LearnerContainer, type Listener } from './learner-container.ts';
import { spawnReaper } from './stack-reaper.ts';
import { ACCESS_LINE, parseProxyLog, type ProxyLogRecord } from './log-lines.ts';
import type { ContainerEventSink } from './container-events.ts';

export { parseProxyLog, type ProxyLogRecord } from './log-lines.ts';
import type { DockerStack, StackContainer } from '../episodes/schema.ts';

/** Marks what a stack makes (containers, its network), with the stack's id as the value. */
export const STACK_LABEL = `${LAB_LABEL}.stack`;

export interface StackOptions {
  readonly docker: Docker;
  readonly stack: DockerStack;
  /** The learner's project directory, files already written. */
  readonly dir: string;
  readonly freePort: () => Promise<number>;
  readonly imagePrefix: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly progress: (line: string) => void;
  readonly onBuildLine?: (line: string) => void;
  /** Each container's output, line by line, prefixed by the caller. */
  readonly onLog?: (container: string, line: string) => void;
  /** Typed events of each container (the TUI's containers table). */
  readonly onEvent?: ContainerEventSink;
}

/** What the proxy and the apps saw of one experiment's requests. */
export interface StackTraffic {
  /** The proxy's log records of these requests, in the order it wrote them (one per connection). */
  readonly records: readonly ProxyLogRecord[];
  /** Requests each app container received (lines of its access log), by container name. */
  readonly received: ReadonlyMap<string, number>;
  /** The proxy's output written meanwhile. */
  readonly logs: readonly string[];
}

export interface ContainerObservation {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  /** 0 when not published. */
  readonly hostPort: number;
  readonly state: string;
  readonly listeners: readonly Listener[] | null;
  readonly logs: string;
}

export interface StackRun {
  readonly network: string;
  readonly builds: readonly (LearnerBuild & { readonly dockerfile: string })[];
  /** The published containers: document port → 127.0.0.1 port. */
  readonly published: ReadonlyMap<number, { readonly name: string; readonly hostPort: number }>;
  /** Counts of what was logged so far, to take an experiment's share from. */
  mark(): Map<string, number>;
  /** Waits (up to timeoutMs) until the proxy logged `count` connections since the mark, then reads the logs. */
  traffic(mark: ReadonlyMap<string, number>, count: number, timeoutMs?: number): Promise<StackTraffic>;
  settle(): Promise<ContainerObservation[]>;
  dispose(): Promise<void>;
}

const linesOf = (text: string): string[] => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);

// Removes the stacks (containers, then networks, then compose-built images) of labs that are gone; returns how many
// things went.
export async function removeStaleStacks(docker: Docker): Promise<number> {
  const dead = (labels: Record<string, string> | undefined): boolean => {
    const owner = Number(labels?.[OWNER_LABEL]);
    return !owner || (owner !== process.pid && !pidAlive(owner));
  };
  let removed = 0;
  for (const c of await docker.listContainers({ all: true, filters: { label: [STACK_LABEL] } })) {
    if (!dead(c.Labels)) continue;
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    removed++;
  }
  for (const n of await docker.listNetworks({ filters: { label: [STACK_LABEL] } })) {
    if (!dead(n.Labels)) continue;
    await docker.getNetwork(n.Id).remove().catch(() => {});
    removed++;
  }
  // A compose stack's images (`docker-compose down --rmi local` would have removed them).
  for (const i of await docker.listImages({ filters: { label: [`${LAB_LABEL}.compose-stack`] } })) {
    if (!dead(i.Labels)) continue;
    await docker.getImage(i.Id).remove({ force: true }).catch(() => {});
    removed++;
  }
  return removed;
}

// Builds every image, makes the network, runs the apps and then the proxy. A failed build leaves its containers
// out (the checks say why); what was made is removed by dispose(), by the exit hook, or by the next lab's start.
export async function runStack(opts: StackOptions): Promise<StackRun> {
  const { docker, stack, progress } = opts;
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const labels = { [LAB_LABEL]: '1', [STACK_LABEL]: id, [OWNER_LABEL]: String(process.pid), ...opts.labels };
  const stale = await removeStaleStacks(docker);
  if (stale > 0) progress(`removed ${stale} container(s)/network(s) left by a lab that did not exit cleanly`);
  const unhook = onLabExit(() => spawnReaper(id));

  // The images build side by side (each from its own files), and their summaries are said in the plan's order.
  const builds: (LearnerBuild & { dockerfile: string })[] = await Promise.all(stack.images.map(async (img) => {
    const b = await buildLearnerImage(docker, {
      dir: opts.dir, tag: `${opts.imagePrefix}${img.tag}`, dockerfile: img.dockerfile, labels: opts.labels, progress,
      ...(img.context ? { only: img.context } : {}),
      ...(opts.onBuildLine ? { onLine: opts.onBuildLine } : {}),
    });
    return { ...b, dockerfile: img.dockerfile };
  }));
  for (const b of builds) progress(buildSummary(b, b.dockerfile));
  await pruneReplacedLearnerImages(docker);
  const network = `haproxy-lab-${id}`;
  await docker.createNetwork({
    Name: network, Driver: 'bridge', Labels: labels,
    // Published ports default to loopback on this network, should a container ask for one without an address.
    Options: { 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' },
  });
  progress(`docker network create ${network}`);

  const running = new Map<string, { spec: StackContainer; c: LearnerContainer }>();
  const published = new Map<number, { name: string; hostPort: number }>();
  const built = (tag: string): boolean => builds.some((b) => b.tag === `${opts.imagePrefix}${tag}` && !b.error);
  // The apps first (side by side), the proxy last: HAProxy resolves its servers' names when it starts, as with the
  // document's order.
  const start = async (spec: StackContainer): Promise<void> => {
    const hostPort = spec.publish !== undefined ? await opts.freePort() : undefined;
    if (spec.publish !== undefined) published.set(spec.publish, { name: spec.name, hostPort: hostPort! });
    if (!built(spec.image)) {
      progress(`${spec.name}: not started, its image ${spec.image} did not build`);
      return;
    }
    const c = await runLearnerContainer(docker, {
      image: `${opts.imagePrefix}${spec.image}`, port: spec.port, labels,
      network: { name: network, alias: spec.name },
      ...(hostPort !== undefined ? { hostPort } : {}),
      ...(opts.onLog ? { onLog: (line: string) => opts.onLog!(spec.name, line) } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      display: spec.name, role: spec.proxy ? 'proxy' : 'app',
      waitMs: 15_000,
    });
    running.set(spec.name, { spec, c });
  };
  const say = async (spec: StackContainer): Promise<void> => {
    const r = running.get(spec.name);
    if (!r) return;
    const pub = r.c.hostPort ? ` -p 127.0.0.1:${r.c.hostPort}:${spec.port}` : '';
    progress(`docker run -d --network ${network} --name ${spec.name}${pub} ${spec.image}: ${await r.c.state()}`);
  };
  const apps = stack.containers.filter((c) => !c.proxy);
  try {
    const started = await Promise.allSettled(apps.map(start));
    const failed = started.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
    for (const spec of stack.containers.filter((c) => c.proxy)) await start(spec);
    for (const spec of [...apps, ...stack.containers.filter((c) => c.proxy)]) await say(spec);
  } catch (e) {
    await Promise.all([...running.values()].map((r) => r.c.remove()));
    await docker.getNetwork(network).remove().catch(() => {});
    unhook();
    throw e;
  }

  const proxy = [...running.values()].find((r) => r.spec.proxy);
  const appRuns = [...running.values()].filter((r) => !r.spec.proxy);
  const lineCount = (c: LearnerContainer): number => linesOf(c.logs()).length;
  const records = (from: number): ProxyLogRecord[] =>
    proxy ? linesOf(proxy.c.logs()).slice(from).map(parseProxyLog).filter((r): r is ProxyLogRecord => r !== null) : [];
  return {
    network,
    builds,
    published,
    mark() {
      return new Map([...running.values()].map((r) => [r.spec.name, lineCount(r.c)]));
    },
    async traffic(mark, count, timeoutMs = 10_000) {
      const from = (name: string): number => mark.get(name) ?? 0;
      const end = Date.now() + timeoutMs;
      // tcplog lines are written when a connection closes, a little after the client saw its answer.
      while (proxy && records(from(proxy.spec.name)).length < count && Date.now() < end && (await proxy.c.state()) === 'running') {
        await new Promise((r) => setTimeout(r, 100));
      }
      const received = new Map<string, number>();
      for (const a of appRuns) received.set(a.spec.name, linesOf(a.c.logs()).slice(from(a.spec.name)).filter((l) => ACCESS_LINE.test(l)).length);
      return {
        records: proxy ? records(from(proxy.spec.name)) : [],
        received,
        logs: proxy ? linesOf(proxy.c.logs()).slice(from(proxy.spec.name)) : [],
      };
    },
    async settle() {
      const out: ContainerObservation[] = [];
      for (const spec of stack.containers) {
        const r = running.get(spec.name);
        const hostPort = spec.publish !== undefined ? published.get(spec.publish)!.hostPort : 0;
        if (!r) {
          out.push({ name: spec.name, image: spec.image, port: spec.port, hostPort, state: 'not started (its image did not build)', listeners: null, logs: '' });
          continue;
        }
        out.push({ name: spec.name, image: spec.image, port: spec.port, hostPort, state: await r.c.state(), listeners: await r.c.listeners(), logs: r.c.logs() });
      }
      return out;
    },
    async dispose() {
      await Promise.all([...running.values()].map((r) => r.c.remove()));
      await docker.getNetwork(network).remove().catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 404) throw e;
      });
      unhook();
    },
  };
}
