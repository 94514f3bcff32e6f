// Checks an episode.yaml against the schema and builds the Episode; every problem is reported with file:line:col.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Node } from 'yaml';
import { CurlArgsError, parseCurl } from '../traffic/request-spec.ts';
import { YamlReader, type Fields } from './yaml-reader.ts';
import { readLearnerParts } from './validate-learner.ts';
import {
  EPISODE_FORMAT,
  type Check,
  type CheckKind,
  type DockerPlan,
  type EpisodeError,
  type Episode,
  type EpisodeApp,
  type Experiment,
  type LineMark,
  type Step,
  type WrongAnswer,
  type YamlLoc,
} from './schema.ts';

type AnyNode = Node | null | undefined;

const TOP_KEYS = ['format', 'title', 'document', 'summary', 'order', 'apps', 'steps'];
const APP_KEYS = ['name', 'app', 'port', 'addresses', 'answers'];
const STEP_KEYS = ['id', 'title', 'explain', 'config', 'solution', 'task', 'apps', 'commands', 'marks', 'experiments', 'checks', 'files', 'needs', 'docker', 'wrong'];
const WRONG_KEYS = ['file', 'why'];
const EXPERIMENT_KEYS = ['id', 'curl', 'repeat', 'concurrency', 'note'];
const MARK_KEYS = ['line', 'match', 'note'];
const COMMON_CHECK_KEYS = ['kind', 'title', 'hint', 'involves'];
/** What a check judges: a step experiment by id, or requests of its own (`curl`, sent `repeat` times). */
const TRAFFIC_KEYS = ['experiment', 'curl', 'repeat'];
const CHECK_KEYS: Record<CheckKind, readonly string[]> = {
  distribution: [...TRAFFIC_KEYS, 'shares', 'tolerance'],
  order: [...TRAFFIC_KEYS, 'sequence'],
  route: [...TRAFFIC_KEYS, 'backend', 'server'],
  status: [...TRAFFIC_KEYS, 'status'],
  body: [...TRAFFIC_KEYS, 'contains'],
  'config-valid': ['warnings'],
  'log-line': [...TRAFFIC_KEYS, 'pattern'],
  instances: [...TRAFFIC_KEYS, 'shares', 'tolerance'],
  passthrough: [...TRAFFIC_KEYS],
  image: ['workdir', 'exposes', 'env'],
  context: ['excludes', 'includes'],
  listening: ['port', 'container'],
  running: ['container'],
  received: [...TRAFFIC_KEYS, 'shares', 'tolerance'],
  agrees: [...TRAFFIC_KEYS],
};
const CHECK_REQUIRED: Record<CheckKind, readonly string[]> = {
  instances: ['shares'],
  passthrough: [],
  distribution: ['shares'],
  order: ['sequence'],
  route: ['backend'],
  status: ['status'],
  body: ['contains'],
  'config-valid': [],
  'log-line': ['pattern'],
  image: [],
  context: [],
  listening: ['port'],
  running: ['container'],
  received: ['shares'],
  agrees: [],
};
/** Kinds that judge answers, so they need `experiment` or `curl`; log-line may judge the whole step. */
const NEEDS_TRAFFIC: readonly CheckKind[] = ['received', 'agrees', 'instances', 'passthrough', 'distribution', 'order', 'route', 'status', 'body'];
/** Config words a failing check points at when the episode names none. */
const DEFAULT_INVOLVES: Record<CheckKind, readonly string[]> = {
  instances: ['server'],
  passthrough: ['mode'],
  distribution: ['balance', 'server'],
  order: ['balance', 'server'],
  route: ['acl', 'use_backend', 'default_backend', 'http-request'],
  status: ['acl', 'http-request', 'use_backend'],
  body: ['server'],
  'config-valid': [],
  'log-line': ['log', 'option httplog', 'option tcplog'],
  image: [],
  context: [],
  listening: [],
  running: ['server'],
  received: ['server'],
  agrees: ['balance', 'server'],
};
const ID = /^[a-z0-9][a-z0-9-]*$/;

export interface ValidateResult {
  readonly episode: Episode | null;
  readonly errors: readonly EpisodeError[];
}

// Validates episode.yaml text; `dir` is the episode's directory (config paths are relative to it).
export function validateEpisode(text: string, file: string, dir: string, id: string): ValidateResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const r = new YamlReader(file, lineCounter);
  for (const e of doc.errors) {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    r.error({ file, line, col }, `YAML: ${e.message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) return { episode: null, errors: r.errors };

  const top = r.fields(doc.contents as AnyNode, 'episode', TOP_KEYS, TOP_KEYS.filter((k) => k !== 'apps' && k !== 'order'));
  if (!top) return { episode: null, errors: r.errors };

  const format = r.num(top.get('format'), 'format', { int: true });
  if (format !== undefined && format !== EPISODE_FORMAT) {
    r.error(top.get('format'), `format: this lab reads format ${EPISODE_FORMAT}, the file says ${format}; update the lab or the file`);
  }
  const title = r.text(top.get('title'), 'title');
  const document = r.text(top.get('document'), 'document');
  const summary = r.text(top.get('summary'), 'summary');
  const order = top.has('order') ? r.num(top.get('order'), 'order', { int: true }) : 1000;
  const apps = top.has('apps') ? readApps(r, top.get('apps')) : [];
  const steps: Step[] = [];
  const seenSteps = new Map<string, YamlLoc>();
  const learnerFiles: string[] = [];
  r.list(top.get('steps'), 'steps').forEach((node, i) => {
    const step = readStep(r, node, `steps[${i}]`, dir, apps, learnerFiles);
    if (!step) return;
    learnerFiles.push(...step.files.map((x) => x.name));
    const prev = seenSteps.get(step.id);
    if (prev) r.error(step.loc, `steps[${i}]: id '${step.id}' is already used at line ${prev.line}`);
    seenSteps.set(step.id, step.loc);
    steps.push(step);
  });
  if (top.has('steps') && steps.length === 0 && r.errors.length === 0) r.error(top.get('steps'), 'steps: an episode needs at least one step');

  if (r.errors.length > 0 || title === undefined || document === undefined || summary === undefined || order === undefined) {
    return { episode: null, errors: r.errors };
  }
  return {
    episode: { format: EPISODE_FORMAT, id, title, document, summary: summary.trim(), order, dir, file, apps, steps },
    errors: [],
  };
}

function readApps(r: YamlReader, node: AnyNode): EpisodeApp[] {
  const apps: EpisodeApp[] = [];
  r.list(node, 'apps').forEach((item, i) => {
    const what = `apps[${i}]`;
    const f = r.fields(item, what, APP_KEYS, ['name', 'app', 'port']);
    if (!f) return;
    const name = r.text(f.get('name'), `${what}.name`);
    const app = r.text(f.get('app'), `${what}.app`);
    const port = r.num(f.get('port'), `${what}.port`, { int: true, min: 1, max: 65535 });
    const addresses = f.has('addresses') ? r.strList(f.get('addresses'), `${what}.addresses`) : [];
    addresses.forEach((a, j) => {
      if (!/^[^\s:]+:\d{1,5}$/.test(a)) r.error(f.get('addresses'), `${what}.addresses[${j}]: expected HOST:PORT such as app1:5001, got "${a}"`);
    });
    const answers = f.has('answers') ? r.text(f.get('answers'), `${what}.answers`) : undefined;
    if (name !== undefined && apps.some((a) => a.name === name)) r.error(f.get('name'), `${what}.name: '${name}' is already used by another app`);
    if (name === undefined || app === undefined || port === undefined) return;
    apps.push({ name, app, port, addresses, ...(answers !== undefined ? { answers } : {}), loc: f.loc });
  });
  return apps;
}

function readStep(r: YamlReader, node: AnyNode, what: string, dir: string, apps: readonly EpisodeApp[], earlierFiles: readonly string[]): Step | null {
  const f = r.fields(node, what, STEP_KEYS, ['id', 'title', 'explain']);
  if (!f) return null;
  const before = r.errors.length;
  const id = r.text(f.get('id'), `${what}.id`);
  if (id !== undefined && !ID.test(id)) r.error(f.get('id'), `${what}.id: use lower-case words and dashes, got "${id}"`);
  const title = r.text(f.get('title'), `${what}.title`);
  const explain = r.text(f.get('explain'), `${what}.explain`);
  const config = f.has('config') ? readFilePath(r, f, 'config', what, dir) : null;
  const solution = f.has('solution') ? readFilePath(r, f, 'solution', what, dir) : null;
  const task = f.has('task') ? r.text(f.get('task'), `${what}.task`) : undefined;
  if (solution && !config) r.error(f.keyLoc('solution'), `${what}: a solution needs a starting 'config' to edit`);
  if (solution && task === undefined) r.error(f.keyLoc('solution'), `${what}: a step with a solution needs a 'task' telling the learner what to change`);
  if (task !== undefined && !f.has('solution') && !f.has('files')) r.error(f.keyLoc('task'), `${what}: a 'task' needs a 'solution' file (or learner 'files' with theirs)`);

  let stepApps = apps.map((a) => a.name);
  if (f.has('apps')) {
    stepApps = r.strList(f.get('apps'), `${what}.apps`);
    for (const name of stepApps) {
      if (!apps.some((a) => a.name === name)) {
        r.error(f.get('apps'), `${what}.apps: no app named '${name}' in the episode's apps (known: ${apps.map((a) => a.name).join(', ') || 'none'})`);
      }
    }
  }
  const commands = f.has('commands') ? r.strList(f.get('commands'), `${what}.commands`) : [];
  const configText = config && existsSync(config) ? readFileSync(config, 'utf8') : null;
  const marks = f.has('marks') ? readMarks(r, f.get('marks'), `${what}.marks`, configText) : [];
  if (f.has('marks') && !config) r.error(f.keyLoc('marks'), `${what}: marks point at config lines, but the step has no config`);

  const experiments: Experiment[] = [];
  // Ids of experiments that had errors of their own, so checks naming them do not add a second error.
  const broken: string[] = [];
  if (f.has('experiments')) {
    r.list(f.get('experiments'), `${what}.experiments`).forEach((item, i) => {
      const e = readExperiment(r, item, `${what}.experiments[${i}]`);
      if (!e) {
        const id = isMap(item) ? item.get('id') : undefined;
        if (typeof id === 'string') broken.push(id);
        return;
      }
      if (experiments.some((x) => x.id === e.id)) r.error(e.loc, `${what}.experiments[${i}]: id '${e.id}' is already used in this step`);
      experiments.push(e);
    });
  }
  const learner = readLearnerParts(r, f, what, dir, earlierFiles);
  const checks: Check[] = [];
  const probes: Experiment[] = [];
  if (f.has('checks')) {
    r.list(f.get('checks'), `${what}.checks`).forEach((item, i) => {
      const c = readCheck(r, item, `${what}.checks[${i}]`, { experiments, broken, probes, apps: stepApps, hasConfig: config !== null, docker: learner.docker });
      if (c) checks.push(c);
    });
  }
  if (learner.wrongFiles.length > 0 && !f.has('checks')) r.error(f.keyLoc('wrong'), `${what}: wrong answers need checks that catch them`);
  if (solution && checks.length === 0) r.error(f.keyLoc('solution'), `${what}: a step the learner edits needs checks that tell the solution from the start`);
  const configWrong = f.has('wrong') && !f.has('files') && earlierFiles.length === 0;
  const wrong = configWrong ? readWrong(r, f.get('wrong'), `${what}.wrong`, dir, solution) : [];
  if (configWrong && !solution) r.error(f.keyLoc('wrong'), `${what}: wrong answers belong to a step the learner edits (one with a 'solution')`);

  if (r.errors.length > before || id === undefined || title === undefined || explain === undefined) return null;
  return {
    id, title, explain: explain.trim(), config, solution, ...(task !== undefined ? { task: task.trim() } : {}),
    apps: stepApps, commands, marks, experiments, probes, checks, wrong, ...learner, loc: f.loc,
  };
}

// `wrong: [{ file, why }]`: files next to episode.yaml that must differ from the solution.
function readWrong(r: YamlReader, node: AnyNode, what: string, dir: string, solution: string | null): WrongAnswer[] {
  const out: WrongAnswer[] = [];
  r.list(node, what).forEach((item, i) => {
    const f = r.fields(item, `${what}[${i}]`, WRONG_KEYS, WRONG_KEYS);
    if (!f) return;
    const why = r.text(f.get('why'), `${what}[${i}].why`);
    const file = readFilePath(r, f, 'file', `${what}[${i}]`, dir);
    if (file && solution && existsSync(file) && existsSync(solution) && readFileSync(file, 'utf8') === readFileSync(solution, 'utf8')) {
      r.error(f.get('file'), `${what}[${i}].file: it is the same text as the solution, so it is not a wrong answer`);
    }
    if (file && out.some((w) => w.file === file)) r.error(f.get('file'), `${what}[${i}].file: listed twice`);
    if (file && why !== undefined) out.push({ file, why: why.trim(), loc: f.loc });
  });
  return out;
}

function readFilePath(r: YamlReader, f: Fields, key: string, what: string, dir: string): string | null {
  const rel = r.text(f.get(key), `${what}.${key}`);
  if (rel === undefined) return null;
  if (isAbsolute(rel) || relative(dir, join(dir, rel)).startsWith('..')) {
    r.error(f.get(key), `${what}.${key}: give a file inside the episode's directory, got "${rel}"`);
    return null;
  }
  const path = join(dir, rel);
  if (!existsSync(path)) r.error(f.get(key), `${what}.${key}: file "${rel}" not found next to episode.yaml`);
  return path;
}

function readMarks(r: YamlReader, node: AnyNode, what: string, configText: string | null): LineMark[] {
  const lines = configText?.split('\n') ?? [];
  const marks: LineMark[] = [];
  r.list(node, what).forEach((item, i) => {
    const f = r.fields(item, `${what}[${i}]`, MARK_KEYS, ['note']);
    if (!f) return;
    const note = r.text(f.get('note'), `${what}[${i}].note`);
    let line: number | undefined;
    if (f.has('line') === f.has('match')) {
      r.error(f.loc, `${what}[${i}]: give either 'line' (a number) or 'match' (text on the line), not ${f.has('line') ? 'both' : 'neither'}`);
    } else if (f.has('line')) {
      line = r.num(f.get('line'), `${what}[${i}].line`, { int: true, min: 1 });
      if (line !== undefined && configText !== null && line > lines.length) {
        r.error(f.get('line'), `${what}[${i}].line: the config has ${lines.length} lines, got ${line}`);
        line = undefined;
      }
    } else {
      const match = r.text(f.get('match'), `${what}[${i}].match`);
      if (match !== undefined && configText !== null) {
        const at = lines.findIndex((l) => l.includes(match));
        if (at < 0) r.error(f.get('match'), `${what}[${i}].match: no line of the config contains "${match}"`);
        else line = at + 1;
      }
    }
    if (line !== undefined && note !== undefined) marks.push({ line, note });
  });
  return marks;
}

function readExperiment(r: YamlReader, node: AnyNode, what: string): Experiment | null {
  const f = r.fields(node, what, EXPERIMENT_KEYS, ['id', 'curl']);
  if (!f) return null;
  const before = r.errors.length;
  const id = r.text(f.get('id'), `${what}.id`);
  if (id !== undefined && !ID.test(id)) r.error(f.get('id'), `${what}.id: use lower-case words and dashes, got "${id}"`);
  const curl = r.text(f.get('curl'), `${what}.curl`);
  if (curl !== undefined) {
    if (!curl.trimStart().startsWith('curl ')) r.error(f.get('curl'), `${what}.curl: expected a curl command line ("curl http://localhost/"), got "${curl}"`);
    else {
      try {
        parseCurl(curl);
      } catch (e) {
        if (!(e instanceof CurlArgsError)) throw e;
        r.error(f.get('curl'), `${what}.curl: ${e.message}`);
      }
    }
  }
  const repeat = f.has('repeat') ? r.num(f.get('repeat'), `${what}.repeat`, { int: true, min: 1, max: 10000 }) : 1;
  const concurrency = f.has('concurrency') ? r.num(f.get('concurrency'), `${what}.concurrency`, { int: true, min: 1, max: 256 }) : 1;
  const note = f.has('note') ? r.text(f.get('note'), `${what}.note`) : undefined;
  if (r.errors.length > before || id === undefined || curl === undefined || repeat === undefined || concurrency === undefined) return null;
  return { id, curl: curl.trim(), repeat, concurrency, ...(note !== undefined ? { note: note.trim() } : {}), loc: f.loc };
}

interface CheckContext {
  readonly experiments: readonly Experiment[];
  /** Ids of experiments with errors of their own. */
  readonly broken: readonly string[];
  /** Where a check's own requests (`curl`) are collected. */
  readonly probes: Experiment[];
  /** The step's app names, which `instances` shares name. */
  readonly apps: readonly string[];
  readonly hasConfig: boolean;
  /** The step's Docker plan, which image/context/listening checks need. */
  readonly docker: DockerPlan | undefined;
}

// Whether NAME is a container of the step's stack; reports at the node when not.
function stackContainer(r: YamlReader, node: AnyNode, what: string, docker: DockerPlan | undefined, name?: string): boolean {
  const value = name ?? r.text(node, what);
  const names = docker?.stack?.containers.map((c) => c.name) ?? [];
  if (value !== undefined && names.includes(value)) return true;
  r.error(node, `${what}: '${value}' is not a container of this step (docker.containers: ${names.join(', ') || 'none'})`);
  return false;
}

function readCheck(r: YamlReader, node: AnyNode, what: string, ctx: CheckContext): Check | null {
  const { experiments, broken, hasConfig, docker } = ctx;
  const kindNode = node && typeof node === 'object' && 'get' in node ? (node as { get(k: string, keep: true): unknown }).get('kind', true) : undefined;
  const kindValue = isScalar(kindNode) ? kindNode.value : undefined;
  const kinds = Object.keys(CHECK_KEYS) as CheckKind[];
  if (typeof kindValue !== 'string' || !kinds.includes(kindValue as CheckKind)) {
    r.error((kindNode as AnyNode) ?? node, `${what}.kind: expected one of ${kinds.join(', ')}, got ${kindValue === undefined ? 'nothing' : JSON.stringify(kindValue)}`);
    return null;
  }
  const kind = kindValue as CheckKind;
  const f = r.fields(node, `${what} (${kind})`, [...COMMON_CHECK_KEYS, ...CHECK_KEYS[kind]], ['kind', 'title', 'hint', ...CHECK_REQUIRED[kind]]);
  if (!f) return null;
  const before = r.errors.length;
  const title = r.text(f.get('title'), `${what}.title`);
  const hint = r.text(f.get('hint'), `${what}.hint`);
  const involves = f.has('involves') ? r.strList(f.get('involves'), `${what}.involves`) : [...DEFAULT_INVOLVES[kind]];
  let experiment: Experiment | undefined;
  if (f.has('experiment') && f.has('curl')) {
    r.error(f.keyLoc('curl'), `${what}: give either 'experiment' (a step experiment's id) or 'curl' (requests of its own), not both`);
  } else if (NEEDS_TRAFFIC.includes(kind) && !f.has('experiment') && !f.has('curl')) {
    r.error(f.loc, `${what} (${kind}): say which requests it judges: 'experiment: ID' or 'curl: curl ...'`);
  }
  if (f.has('repeat') && !f.has('curl')) r.error(f.keyLoc('repeat'), `${what}.repeat: only a check with its own 'curl' sends requests`);
  if (f.has('curl')) {
    const curl = r.text(f.get('curl'), `${what}.curl`);
    const repeat = f.has('repeat') ? r.num(f.get('repeat'), `${what}.repeat`, { int: true, min: 1, max: 1000 }) : 1;
    if (curl !== undefined && !curl.trimStart().startsWith('curl ')) {
      r.error(f.get('curl'), `${what}.curl: expected a curl command line ("curl http://localhost/"), got "${curl}"`);
    } else if (curl !== undefined) {
      try {
        parseCurl(curl);
        if (repeat !== undefined) {
          experiment = { id: `${what}.curl`, curl: curl.trim(), repeat, concurrency: 1, note: 'sent by the check', loc: f.loc };
          ctx.probes.push(experiment);
        }
      } catch (e) {
        if (!(e instanceof CurlArgsError)) throw e;
        r.error(f.get('curl'), `${what}.curl: ${e.message}`);
      }
    }
  } else if (f.has('experiment')) {
    const id = r.text(f.get('experiment'), `${what}.experiment`);
    experiment = experiments.find((e) => e.id === id);
    if (id !== undefined && !experiment && broken.includes(id)) return null;
    if (id !== undefined && !experiment) {
      r.error(f.get('experiment'), `${what}.experiment: no experiment '${id}' in this step (known: ${experiments.map((e) => e.id).join(', ') || 'none'})`);
    }
  }
  const base = { title: title ?? '', hint: hint?.trim() ?? '', involves, loc: f.loc };
  const exp = experiment?.id ?? '';
  let check: Check | null = null;
  switch (kind) {
    case 'instances': {
      const shares: Record<string, number> = {};
      const sf = r.fields(f.get('shares'), `${what}.shares`, null, [], f.loc);
      for (const pair of sf?.node.items ?? []) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        if (!ctx.apps.includes(name)) {
          r.error((pair.key as AnyNode) ?? f.get('shares'), `${what}.shares: '${name}' is not an app of this step (apps: ${ctx.apps.join(', ') || 'none'})`);
        }
        const v = r.num(pair.value as AnyNode, `${what}.shares.${name}`, { min: 0 });
        if (v !== undefined) shares[name] = v;
      }
      if (sf && Object.values(shares).every((v) => v === 0)) r.error(f.get('shares'), `${what}.shares: give each app instance a relative share, e.g. { flask1: 1, flask2: 1 }`);
      const tolerance = f.has('tolerance') ? r.num(f.get('tolerance'), `${what}.tolerance`, { min: 0, max: 1 }) : 0;
      if (tolerance !== undefined) check = { kind, ...base, experiment: exp, shares, tolerance };
      break;
    }
    case 'passthrough': {
      if (!hasConfig) r.error(f.loc, `${what}: a passthrough check needs a step with a config (a proxy in between)`);
      check = { kind, ...base, experiment: exp };
      break;
    }
    case 'distribution': {
      const shares: Record<string, number> = {};
      const sf = r.fields(f.get('shares'), `${what}.shares`, null, [], f.loc);
      for (const pair of sf?.node.items ?? []) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        const v = r.num(pair.value as AnyNode, `${what}.shares.${name}`, { min: 0 });
        if (v !== undefined) shares[name] = v;
      }
      if (sf && Object.values(shares).every((v) => v === 0)) r.error(f.get('shares'), `${what}.shares: give each server a relative share, e.g. { server1: 2, server2: 1 }`);
      const tolerance = f.has('tolerance') ? r.num(f.get('tolerance'), `${what}.tolerance`, { min: 0, max: 1 }) : 0.05;
      if (tolerance !== undefined) check = { kind, ...base, experiment: exp, shares, tolerance };
      break;
    }
    case 'order': {
      const sequence = r.strList(f.get('sequence'), `${what}.sequence`);
      if (experiment && sequence.length > experiment.repeat) {
        r.error(f.get('sequence'), `${what}.sequence: ${sequence.length} servers listed but experiment '${experiment.id}' sends ${experiment.repeat} request(s)`);
      }
      if (experiment && experiment.concurrency !== 1) {
        r.error(f.get('experiment'), `${what}: an order check needs requests one at a time; experiment '${experiment.id}' has concurrency ${experiment.concurrency}`);
      }
      check = { kind, ...base, experiment: exp, sequence };
      break;
    }
    case 'route': {
      const backend = r.text(f.get('backend'), `${what}.backend`);
      const server = f.has('server') ? r.text(f.get('server'), `${what}.server`) : undefined;
      if (backend !== undefined) check = { kind, ...base, experiment: exp, backend, ...(server !== undefined ? { server } : {}) };
      break;
    }
    case 'status': {
      const status = r.num(f.get('status'), `${what}.status`, { int: true, min: 100, max: 599 });
      if (status !== undefined) check = { kind, ...base, experiment: exp, status };
      break;
    }
    case 'body': {
      const contains = r.text(f.get('contains'), `${what}.contains`);
      if (contains !== undefined) check = { kind, ...base, experiment: exp, contains };
      break;
    }
    case 'config-valid': {
      const warnings = f.has('warnings') ? r.bool(f.get('warnings'), `${what}.warnings`) : true;
      if (!hasConfig) r.error(f.loc, `${what}: a config-valid check needs a step with a config`);
      if (warnings !== undefined) check = { kind, ...base, warnings };
      break;
    }
    case 'log-line': {
      const pattern = r.text(f.get('pattern'), `${what}.pattern`);
      if (pattern !== undefined) {
        try {
          new RegExp(pattern);
        } catch (e) {
          r.error(f.get('pattern'), `${what}.pattern: not a valid regular expression (${(e as Error).message})`);
        }
        if (!hasConfig && !docker?.stack?.containers.some((c) => c.proxy)) {
          r.error(f.loc, `${what}: a log-line check needs a step with a config or a proxy container (the proxy writes the logs)`);
        }
        check = { kind, ...base, ...(experiment ? { experiment: experiment.id } : {}), pattern };
      }
      break;
    }
    case 'image': {
      const workdir = f.has('workdir') ? r.text(f.get('workdir'), `${what}.workdir`) : undefined;
      const exposes = f.has('exposes') ? r.list(f.get('exposes'), `${what}.exposes`).map((n, j) => r.num(n, `${what}.exposes[${j}]`, { int: true, min: 1, max: 65535 })) : [];
      const env = f.has('env') ? r.strList(f.get('env'), `${what}.env`) : [];
      if (!docker?.build) r.error(f.loc, `${what}: an image check needs a step that builds one (docker.build)`);
      check = { kind, ...base, ...(workdir !== undefined ? { workdir } : {}), exposes: exposes.filter((n): n is number => n !== undefined), env };
      break;
    }
    case 'context': {
      const excludes = f.has('excludes') ? r.strList(f.get('excludes'), `${what}.excludes`) : [];
      const includes = f.has('includes') ? r.strList(f.get('includes'), `${what}.includes`) : [];
      if (excludes.length + includes.length === 0) r.error(f.loc, `${what}: a context check needs 'excludes' or 'includes'`);
      if (!docker?.build) r.error(f.loc, `${what}: a context check needs a step that builds an image (docker.build)`);
      check = { kind, ...base, excludes, includes };
      break;
    }
    case 'listening': {
      const port = r.num(f.get('port'), `${what}.port`, { int: true, min: 1, max: 65535 });
      const container = f.has('container') ? r.text(f.get('container'), `${what}.container`) : undefined;
      if (!docker?.run && !docker?.stack) r.error(f.loc, `${what}: a listening check needs a step that runs a container (docker.run or docker.containers)`);
      if (docker?.stack && container === undefined) r.error(f.loc, `${what}: say which container of docker.containers ('container: NAME')`);
      if (container !== undefined) stackContainer(r, f.get('container'), `${what}.container`, docker);
      if (port !== undefined) check = { kind, ...base, port, ...(container !== undefined ? { container } : {}) };
      break;
    }
    case 'running': {
      const container = r.text(f.get('container'), `${what}.container`);
      if (container !== undefined && stackContainer(r, f.get('container'), `${what}.container`, docker)) check = { kind, ...base, container };
      break;
    }
    case 'received': {
      const shares: Record<string, number> = {};
      const sf = r.fields(f.get('shares'), `${what}.shares`, null, [], f.loc);
      for (const pair of sf?.node.items ?? []) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        stackContainer(r, (pair.key as AnyNode) ?? f.get('shares'), `${what}.shares`, docker, name);
        const v = r.num(pair.value as AnyNode, `${what}.shares.${name}`, { min: 0 });
        if (v !== undefined) shares[name] = v;
      }
      if (sf && Object.values(shares).every((v) => v === 0)) r.error(f.get('shares'), `${what}.shares: give each app container a relative share, e.g. { flask1: 1, flask2: 1 }`);
      const tolerance = f.has('tolerance') ? r.num(f.get('tolerance'), `${what}.tolerance`, { min: 0, max: 1 }) : 0;
      if (tolerance !== undefined) check = { kind, ...base, experiment: exp, shares, tolerance };
      break;
    }
    case 'agrees': {
      if (!docker?.compose) r.error(f.loc, `${what}: an agrees check needs a step that brings up a compose stack (docker.compose)`);
      if (!hasConfig) r.error(f.loc, `${what}: an agrees check needs a step with a config (the engine's side)`);
      check = { kind, ...base, experiment: exp };
      break;
    }
  }
  return r.errors.length > before ? null : check;
}
