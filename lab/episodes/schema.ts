// What an episode is, as data: the types the loader produces and the TUI and `lab run` consume.
// The YAML format is versioned (`format: 1`); lab/episodes/validate.ts checks a file against these shapes.

/** The only format version this lab reads. */
export const EPISODE_FORMAT = 1;

/** Where something was written, for messages: "episodes/ep9-weighted-rr/episode.yaml:12:5". */
export interface YamlLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One app the episode starts, and the address the documents' configs use for it. */
export interface EpisodeApp {
  /** Unique in the episode, e.g. "app1"; steps list these names. */
  readonly name: string;
  /** Catalog id of lab/runtimes (apps/), e.g. "ep9-app1". */
  readonly app: string;
  /** The port the document runs it on (5001); `curl http://localhost:5001/` maps here. */
  readonly port: number;
  /** Addresses the configs write for it ("app1:5001", "127.0.0.1:5001"); the lab maps each onto the app. */
  readonly addresses: readonly string[];
  /** Text its answers contain, naming it ("Flask App 1"), so the tally can tell who answered from the body. */
  readonly answers?: string;
  readonly loc: YamlLoc;
}

/** One request the document makes, replayed by the lab. */
export interface Experiment {
  /** Unique in the step; checks name it. */
  readonly id: string;
  /** The curl command as the document writes it (or as the lab adds it), e.g. "curl http://localhost/data". */
  readonly curl: string;
  /** How many times to send it (like `lab curl -n`), default 1. */
  readonly repeat: number;
  /** How many at once (like `lab curl -c`), default 1; order checks need 1. */
  readonly concurrency: number;
  /** One line on what to look for. */
  readonly note?: string;
  readonly loc: YamlLoc;
}

interface CheckBase {
  /** Short sentence shown in the check list, e.g. "App 3 gets three times App 2's share". */
  readonly title: string;
  /** What to try when it fails. */
  readonly hint: string;
  /** Words that find the config lines this check is about (shown on failure), e.g. ["weight", "balance"]. */
  readonly involves: readonly string[];
  readonly loc: YamlLoc;
}

/** Shares of the answers per server ("backend/server" or "server"), as relative numbers, within tolerance. */
export interface DistributionCheck extends CheckBase {
  readonly kind: 'distribution';
  readonly experiment: string;
  readonly shares: Readonly<Record<string, number>>;
  /** Allowed absolute difference of each share (0..1), default 0.05. */
  readonly tolerance: number;
}

/** The exact sequence of servers that answered, from the first request. */
export interface OrderCheck extends CheckBase {
  readonly kind: 'order';
  readonly experiment: string;
  readonly sequence: readonly string[];
}

/** Every request of the experiment reached this backend (and server, when given). */
export interface RouteCheck extends CheckBase {
  readonly kind: 'route';
  readonly experiment: string;
  readonly backend: string;
  readonly server?: string;
}

/** Every request of the experiment got this status. */
export interface StatusCheck extends CheckBase {
  readonly kind: 'status';
  readonly experiment: string;
  readonly status: number;
}

/** Every answer's body contains this text. */
export interface BodyCheck extends CheckBase {
  readonly kind: 'body';
  readonly experiment: string;
  readonly contains: string;
}

/** The step's config loads without alerts (warnings allowed unless `warnings: false`). */
export interface ConfigValidCheck extends CheckBase {
  readonly kind: 'config-valid';
  /** When false, a warning fails the check too. Default true. */
  readonly warnings: boolean;
}

/** Some log line (of the experiment, or of the whole step) matches the pattern (a JS regex). */
export interface LogLineCheck extends CheckBase {
  readonly kind: 'log-line';
  readonly experiment?: string;
  readonly pattern: string;
}

/** Which app instances really received the requests (the relay in front of each app saw them), as relative
 * shares: the log names a server line, and two lines may lead to one process. */
export interface InstancesCheck extends CheckBase {
  readonly kind: 'instances';
  readonly experiment: string;
  /** App names of the episode ("flask1") to relative shares. */
  readonly shares: Readonly<Record<string, number>>;
  /** Allowed absolute difference of each share (0..1), default 0: exactly these shares. */
  readonly tolerance: number;
}

/** Every request reached an app byte for byte as the client wrote it: nothing in between parsed it as HTTP
 * (HAProxy in `mode http` re-writes header names in lower case; `mode tcp` relays bytes). */
export interface PassthroughCheck extends CheckBase {
  readonly kind: 'passthrough';
  readonly experiment: string;
}

/** The image the step built: from the learner's current Dockerfile (its digest is a label), with these settings. */
export interface ImageCheck extends CheckBase {
  readonly kind: 'image';
  /** WORKDIR the image must have, e.g. "/app". */
  readonly workdir?: string;
  /** Container ports it must declare with EXPOSE, e.g. [5000]. */
  readonly exposes: readonly number[];
  /** Environment variable names it must define with ENV, e.g. ["NAME"]. */
  readonly env: readonly string[];
}

/** The build context the step sent: these paths left out (by .dockerignore), these sent. */
export interface ContextCheck extends CheckBase {
  readonly kind: 'context';
  /** Path prefixes that must not be in the context ("venv/", "__pycache__/"). */
  readonly excludes: readonly string[];
  /** Paths that must be in it ("app.py"). */
  readonly includes: readonly string[];
}

/** Inside the step's container, something listens on this port on every address (0.0.0.0 or ::), not loopback. */
export interface ListeningCheck extends CheckBase {
  readonly kind: 'listening';
  readonly port: number;
  /** Which container of the step's stack (docker.containers); the step's one container when absent. */
  readonly container?: string;
}

/** A container of the step's stack is still running after the experiments (HAProxy that refused its config exits). */
export interface RunningCheck extends CheckBase {
  readonly kind: 'running';
  readonly container: string;
}

/** How many requests each app container of the stack really received (its own access log), as relative shares:
 * the proxy's log names a server line, and two lines may lead to one container. */
export interface ReceivedCheck extends CheckBase {
  readonly kind: 'received';
  readonly experiment: string;
  /** Container names of docker.containers to relative shares. */
  readonly shares: Readonly<Record<string, number>>;
  /** Allowed absolute difference of each share (0..1), default 0. */
  readonly tolerance: number;
}

/** The experiment sent through the containerised HAProxy (docker.compose) met the same servers, in the same order,
 * as through the engine. */
export interface AgreesCheck extends CheckBase {
  readonly kind: 'agrees';
  readonly experiment: string;
}

export type Check =
  | InstancesCheck
  | PassthroughCheck
  | ImageCheck
  | ContextCheck
  | ListeningCheck
  | RunningCheck
  | ReceivedCheck
  | AgreesCheck
  | DistributionCheck
  | OrderCheck
  | RouteCheck
  | StatusCheck
  | BodyCheck
  | ConfigValidCheck
  | LogLineCheck;

export type CheckKind = Check['kind'];

/** A config line worth pointing at in the TUI's config view. */
export interface LineMark {
  /** 1-based line in the step's config. */
  readonly line: number;
  readonly note: string;
}

/** A plausible wrong answer of an edit step, kept next to its solution: `lab run --prove` shows it fails. */
export interface WrongAnswer {
  /** Absolute path of the wrong file (it replaces the step's config). */
  readonly file: string;
  /** What is wrong with it, in a few words ("src 0.0.0.0/0 blocks every client"). */
  readonly why: string;
  readonly loc: YamlLoc;
}

/** A file of a step the learner may change, by the name the step shows. */
export interface LearnerFile {
  /** "block-ip.cfg" */
  readonly name: string;
  /** The starting file (absolute). */
  readonly path: string;
}

/** A file the learner writes in a step (Dockerfile, app.py, .dockerignore), declared like a step's config. */
export interface StepFile {
  /** The name the step shows it by and `--with NAME=PATH` replaces, e.g. "Dockerfile". */
  readonly name: string;
  /** Its starting text (absolute path): what the document printed, lost lines missing. */
  readonly start: string;
  /** The finished file (absolute path). */
  readonly solution: string;
}

/** A plausible wrong learner file (a Dockerfile, app.py) stored next to the solution; `lab run --prove` shows it
 * fails a check. */
export interface WrongFile {
  /** Which learner file it replaces (StepFile.name). */
  readonly file: string;
  /** Absolute path of the wrong file. */
  readonly path: string;
  /** Why it is wrong, in one line. */
  readonly why: string;
}

/** What the lab does with Docker in a step, as the document does it. */
export interface DockerPlan {
  /** `docker build -t TAG .` in the learner's workspace, when set. */
  readonly build?: string;
  /** `docker run -p 127.0.0.1:FREE:PORT IMAGE`: the image (the built tag) and its container port. */
  readonly run?: { readonly image: string; readonly port: number };
  /** Images built from the workspace's Dockerfiles and containers run from them on a network of their own. */
  readonly stack?: DockerStack;
  /** `docker-compose up --build` of a compose file beside the engine, its HAProxy sent the same experiments. */
  readonly compose?: ComposePlan;
}

/** `docker build -t TAG -f DOCKERFILE .` in the learner's workspace. */
export interface StackImage {
  readonly tag: string;
  readonly dockerfile: string;
  /** The files its build context holds, as the document's own directory for this image would (all when absent). */
  readonly context?: readonly string[];
}

/** `docker run -d --network NET --name NAME [-p PUBLISH:PORT] IMAGE`. */
export interface StackContainer {
  /** The name the other containers reach it by (what a server line names). */
  readonly name: string;
  /** A tag of the stack's images. */
  readonly image: string;
  /** The port it serves inside the container. */
  readonly port: number;
  /** The document's published port (its curls' localhost:PUBLISH); the lab publishes on a free 127.0.0.1 port. */
  readonly publish?: number;
  /** It is the proxy: its log says which server took each request. */
  readonly proxy: boolean;
}

export interface DockerStack {
  readonly images: readonly StackImage[];
  readonly containers: readonly StackContainer[];
}

/** A compose file the lab brings up with its ports moved to free 127.0.0.1 ports, and down again. */
export interface ComposePlan {
  /** Absolute path of the compose file (the document's docker-compose.yml). */
  readonly file: string;
  /** The service that is HAProxy (its log names the servers). */
  readonly proxy: string;
  /** The document's port of that service (its curls' localhost:PORT). */
  readonly port: number;
}

/** What a step needs from this machine beyond the lab; without it the step is skipped, never passed. */
export type Need = 'docker';

export interface Step {
  /** Unique in the episode, e.g. "weights"; progress is kept per step id. */
  readonly id: string;
  readonly title: string;
  /** The explanation, in our words; paragraphs separated by blank lines. */
  readonly explain: string;
  /** The config this step runs (absolute path), or null when the step runs only apps (Docker EP 10). */
  readonly config: string | null;
  /** Where the learner edits: the finished config (absolute path), shown on request and used by `lab run`. */
  readonly solution: string | null;
  /** What the learner must change, when there is a solution. */
  readonly task?: string;
  /** Names of EpisodeApp to start for this step. */
  readonly apps: readonly string[];
  /** Shell commands of the document shown for reference and not run (docker build, python app.py ...). */
  readonly commands: readonly string[];
  readonly marks: readonly LineMark[];
  readonly experiments: readonly Experiment[];
  /** Requests checks send of their own (written `curl:` on the check), beyond the document's experiments.
   * The loader always sets it; optional so hand-made steps (tests) need not. */
  readonly probes?: readonly Experiment[];
  readonly checks: readonly Check[];
  /** Plausible wrong answers of the step's config (edit steps); the loader always sets it. */
  readonly wrong?: readonly WrongAnswer[];
  /** Files the learner writes in this step (the Docker episode's Dockerfile, app.py, .dockerignore). */
  readonly files: readonly StepFile[];
  readonly needs: readonly Need[];
  readonly docker?: DockerPlan;
  /** Plausible wrong learner files (not configs), each replacing one of `files` (or an earlier step's). */
  readonly wrongFiles: readonly WrongFile[];
  readonly loc: YamlLoc;
}

export interface Episode {
  readonly format: typeof EPISODE_FORMAT;
  /** The directory name, e.g. "ep9-weighted-rr". */
  readonly id: string;
  readonly title: string;
  /** The document it follows, e.g. "HAProxy EP 9: Load Balancing with Weighted Round Robin". */
  readonly document: string;
  /** One paragraph for the home screen. */
  readonly summary: string;
  /** Where it sorts in lists (the documents' order); default 1000, then by id. */
  readonly order: number;
  /** Absolute directory of the episode and its episode.yaml. */
  readonly dir: string;
  readonly file: string;
  readonly apps: readonly EpisodeApp[];
  readonly steps: readonly Step[];
}

/** A problem in an episode file, with where it is. */
export interface EpisodeError {
  readonly loc: YamlLoc;
  readonly message: string;
}

/** "file:line:col: message", as compilers print it. */
export function formatEpisodeError(e: EpisodeError): string {
  return `${e.loc.file}:${e.loc.line}:${e.loc.col}: ${e.message}`;
}

/** Thrown by the loader when an episode file does not match the schema; lists every problem found. */
export class EpisodeLoadError extends Error {
  constructor(readonly errors: readonly EpisodeError[]) {
    super(errors.map(formatEpisodeError).join('\n'));
    this.name = 'EpisodeLoadError';
  }
}

/** The outcome of one check, as the TUI and `lab run` show it. */
export interface CheckResult {
  readonly check: Check;
  readonly ok: boolean;
  /** What the check wanted, in one line: "shares server1 33%, server2 17%, server3 50% (±5%)". */
  readonly expected: string;
  /** What traffic showed, in one line: "server1 50%, server2 50% of 12 answers". */
  readonly observed: string;
  /** The config lines involved ("haproxy.cfg:14: server server1 app1:5001 weight 2 check"), on failure. */
  readonly lines: readonly string[];
}
