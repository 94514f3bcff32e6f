// The parts of a step about the learner's own files and Docker: `files`, `needs`, `docker` and `wrong`, checked
// with file:line:col like the rest of episode.yaml.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Node } from 'yaml';
import type { Fields, YamlReader } from './yaml-reader.ts';
import type { ComposePlan, DockerPlan, DockerStack, StackContainer, StackImage, StepFile, Need, WrongFile } from './schema.ts';

type AnyNode = Node | null | undefined;

const FILE_KEYS = ['name', 'start', 'solution'];
const WRONG_KEYS = ['file', 'with', 'why'];
const DOCKER_KEYS = ['build', 'run', 'images', 'containers', 'compose'];
const RUN_KEYS = ['image', 'port'];
const IMAGE_KEYS = ['tag', 'dockerfile', 'context'];
const CONTAINER_KEYS = ['name', 'image', 'port', 'publish', 'proxy'];
const COMPOSE_KEYS = ['file', 'proxy', 'port'];
/** Container names as Docker's resolver takes them (a server line's address). */
const CONTAINER_NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const NEEDS: readonly Need[] = ['docker'];
/** Image tags as `docker build -t` takes them (lower case, no registry). */
const TAG = /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/;

export interface LearnerParts {
  readonly files: StepFile[];
  readonly needs: Need[];
  readonly docker?: DockerPlan;
  readonly wrongFiles: WrongFile[];
}

// A path inside the episode's directory that exists, or an error at the node.
function episodePath(r: YamlReader, node: AnyNode, what: string, dir: string): string | undefined {
  const rel = r.text(node, what);
  if (rel === undefined) return undefined;
  if (isAbsolute(rel) || relative(dir, join(dir, rel)).startsWith('..')) {
    r.error(node, `${what}: give a file inside the episode's directory, got "${rel}"`);
    return undefined;
  }
  const path = join(dir, rel);
  if (!existsSync(path)) {
    r.error(node, `${what}: file "${rel}" not found next to episode.yaml`);
    return undefined;
  }
  return path;
}

// docker.images and docker.containers: images built from the step's Dockerfiles, containers on a network of their
// own, at most one of them the proxy.
function readStack(r: YamlReader, df: Fields, what: string, fileNames: readonly string[]): DockerStack | undefined {
  if (!df.has('images') && !df.has('containers')) return undefined;
  if (!df.has('images') || !df.has('containers')) {
    r.error(df.loc, `${what}: a stack needs both 'images' (what to build) and 'containers' (what to run)`);
    return undefined;
  }
  const images: StackImage[] = [];
  r.list(df.get('images'), `${what}.images`).forEach((item, i) => {
    const w = `${what}.images[${i}]`;
    const f = r.fields(item, w, IMAGE_KEYS, ['tag', 'dockerfile']);
    if (!f) return;
    const context = f.has('context') ? r.strList(f.get('context'), `${w}.context`) : undefined;
    for (const name of context ?? []) {
      if (!fileNames.includes(name)) r.error(f.get('context'), `${w}.context: '${name}' is not a file of this step or an earlier one (files: ${fileNames.join(', ')})`);
    }
    const tag = r.text(f.get('tag'), `${w}.tag`);
    const dockerfile = r.text(f.get('dockerfile'), `${w}.dockerfile`);
    if (tag !== undefined && !TAG.test(tag)) r.error(f.get('tag'), `${w}.tag: expected an image tag such as flask-app, got "${tag}"`);
    if (dockerfile !== undefined && !fileNames.includes(dockerfile)) {
      r.error(f.get('dockerfile'), `${w}.dockerfile: '${dockerfile}' is not a file of this step or an earlier one (files: ${fileNames.join(', ') || 'none'})`);
    }
    if (tag !== undefined && dockerfile !== undefined) images.push({ tag, dockerfile, ...(context ? { context } : {}) });
  });
  const containers: StackContainer[] = [];
  r.list(df.get('containers'), `${what}.containers`).forEach((item, i) => {
    const w = `${what}.containers[${i}]`;
    const f = r.fields(item, w, CONTAINER_KEYS, ['name', 'image', 'port']);
    if (!f) return;
    const name = r.text(f.get('name'), `${w}.name`);
    const image = r.text(f.get('image'), `${w}.image`);
    const port = r.num(f.get('port'), `${w}.port`, { int: true, min: 1, max: 65535 });
    const publish = f.has('publish') ? r.num(f.get('publish'), `${w}.publish`, { int: true, min: 1, max: 65535 }) : undefined;
    const proxy = f.has('proxy') ? r.bool(f.get('proxy'), `${w}.proxy`) : false;
    if (name !== undefined && !CONTAINER_NAME.test(name)) r.error(f.get('name'), `${w}.name: expected a container name such as flask1, got "${name}"`);
    if (name !== undefined && containers.some((c) => c.name === name)) r.error(f.get('name'), `${w}.name: '${name}' is already a container of this step`);
    if (image !== undefined && !images.some((x) => x.tag === image)) {
      r.error(f.get('image'), `${w}.image: '${image}' is not an image of this step (images: ${images.map((x) => x.tag).join(', ') || 'none'})`);
    }
    if (proxy && containers.some((c) => c.proxy)) r.error(f.get('proxy'), `${w}.proxy: only one container of a step is the proxy`);
    if (name !== undefined && image !== undefined && port !== undefined && proxy !== undefined) {
      containers.push({ name, image, port, proxy, ...(publish !== undefined ? { publish } : {}) });
    }
  });
  if (containers.length > 0 && !containers.some((c) => c.publish !== undefined)) r.error(df.get('containers'), `${what}.containers: publish at least one (the document's curls go to it)`);
  return { images, containers };
}

// docker.compose: the compose file may sit anywhere in the project (the document's is at its root).
function readCompose(r: YamlReader, node: AnyNode, what: string, dir: string): ComposePlan | undefined {
  const f = r.fields(node, what, COMPOSE_KEYS, COMPOSE_KEYS);
  if (!f) return undefined;
  const rel = r.text(f.get('file'), `${what}.file`);
  const proxy = r.text(f.get('proxy'), `${what}.proxy`);
  const port = r.num(f.get('port'), `${what}.port`, { int: true, min: 1, max: 65535 });
  let file: string | undefined;
  if (rel !== undefined) {
    const root = join(dir, '..', '..');
    file = join(dir, rel);
    if (isAbsolute(rel) || relative(root, file).startsWith('..')) {
      r.error(f.get('file'), `${what}.file: give a file inside the project, got "${rel}"`);
      file = undefined;
    } else if (!existsSync(file)) {
      r.error(f.get('file'), `${what}.file: file "${rel}" not found (relative to episode.yaml)`);
      file = undefined;
    }
  }
  return file && proxy !== undefined && port !== undefined ? { file, proxy, port } : undefined;
}

// Reads files/needs/docker/wrong of one step (`f` holds the step's fields); a wrong answer may replace a file of an
// earlier step too (a Dockerfile without COPY breaks the container step).
export function readLearnerParts(r: YamlReader, f: Fields, what: string, dir: string, earlierFiles: readonly string[]): LearnerParts {
  const files: StepFile[] = [];
  if (f.has('files')) {
    r.list(f.get('files'), `${what}.files`).forEach((item, i) => {
      const w = `${what}.files[${i}]`;
      const ff = r.fields(item, w, FILE_KEYS, FILE_KEYS);
      if (!ff) return;
      const name = r.text(ff.get('name'), `${w}.name`);
      if (name !== undefined && (name.includes('/') || name === '.' || name === '..')) r.error(ff.get('name'), `${w}.name: a file name without '/', got "${name}"`);
      if (name !== undefined && files.some((x) => x.name === name)) r.error(ff.get('name'), `${w}.name: '${name}' is already a file of this step`);
      const start = episodePath(r, ff.get('start'), `${w}.start`, dir);
      const solution = episodePath(r, ff.get('solution'), `${w}.solution`, dir);
      if (name !== undefined && start && solution) files.push({ name, start, solution });
    });
  }
  const needs: Need[] = [];
  if (f.has('needs')) {
    for (const n of r.strList(f.get('needs'), `${what}.needs`)) {
      if (!(NEEDS as readonly string[]).includes(n)) r.error(f.get('needs'), `${what}.needs: expected ${NEEDS.join(', ')}, got "${n}"`);
      else needs.push(n as Need);
    }
  }
  let docker: DockerPlan | undefined;
  if (f.has('docker')) {
    const df = r.fields(f.get('docker'), `${what}.docker`, DOCKER_KEYS, []);
    if (df) {
      const build = df.has('build') ? r.text(df.get('build'), `${what}.docker.build`) : undefined;
      if (build !== undefined && !TAG.test(build)) r.error(df.get('build'), `${what}.docker.build: expected an image tag such as flask-docker-app, got "${build}"`);
      let run: DockerPlan['run'];
      if (df.has('run')) {
        const rf = r.fields(df.get('run'), `${what}.docker.run`, RUN_KEYS, RUN_KEYS);
        const image = rf ? r.text(rf.get('image'), `${what}.docker.run.image`) : undefined;
        const port = rf ? r.num(rf.get('port'), `${what}.docker.run.port`, { int: true, min: 1, max: 65535 }) : undefined;
        if (image !== undefined && image !== build) r.error(rf!.get('image'), `${what}.docker.run.image: the lab runs the image the step builds ('${build ?? 'none'}'), got '${image}'`);
        if (image !== undefined && port !== undefined) run = { image, port };
      }
      const stack = readStack(r, df, `${what}.docker`, [...new Set([...files.map((x) => x.name), ...earlierFiles])]);
      const compose = df.has('compose') ? readCompose(r, df.get('compose'), `${what}.docker.compose`, dir) : undefined;
      if (stack && (build !== undefined || run)) r.error(df.loc, `${what}.docker: give either build/run (one image) or images/containers (a stack), not both`);
      docker = { ...(build !== undefined ? { build } : {}), ...(run ? { run } : {}), ...(stack ? { stack } : {}), ...(compose ? { compose } : {}) };
      if (!needs.includes('docker')) needs.push('docker');
    }
  }
  const wrong: WrongFile[] = [];
  // a step about learner files (its own or an earlier step's) lists wrong files; a config step's `wrong` is read
  // with the config (validate.ts)
  if (f.has('wrong') && (f.has('files') || earlierFiles.length > 0)) {
    r.list(f.get('wrong'), `${what}.wrong`).forEach((item, i) => {
      const w = `${what}.wrong[${i}]`;
      const wf = r.fields(item, w, WRONG_KEYS, WRONG_KEYS);
      if (!wf) return;
      const file = r.text(wf.get('file'), `${w}.file`);
      const known = [...new Set([...files.map((x) => x.name), ...earlierFiles])];
      if (file !== undefined && !known.includes(file)) {
        r.error(wf.get('file'), `${w}.file: no learner file '${file}' in this step or an earlier one (files: ${known.join(', ') || 'none'})`);
      }
      const path = episodePath(r, wf.get('with'), `${w}.with`, dir);
      const why = r.text(wf.get('why'), `${w}.why`);
      if (file !== undefined && path && why !== undefined) wrong.push({ file, path, why: why.trim() });
    });
  }
  return { files, needs, ...(docker ? { docker } : {}), wrongFiles: wrong };
}
