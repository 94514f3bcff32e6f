import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAllEpisodes, loadEpisode } from '../../../lab/episodes/loader.ts';
import { EpisodeLoadError, formatEpisodeError } from '../../../lab/episodes/schema.ts';

const GOOD = `format: 1
title: Tiny
document: "A document"
summary: One app behind a proxy.
apps:
  - name: app1
    app: ep9-app1
    port: 5001
    addresses: ["app1:5001"]
    answers: Flask App 1
steps:
  - id: first
    title: First step
    explain: Some words.
    config: a.cfg
    experiments:
      - id: home
        curl: curl http://localhost/
        repeat: 3
    checks:
      - kind: status
        title: Answers 200
        experiment: home
        status: 200
        hint: Start the app.
`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lab-episodes-test-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// Writes episodes/<id>/episode.yaml (and a.cfg) under the temp root.
function write(id: string, yaml: string): void {
  mkdirSync(join(root, id), { recursive: true });
  writeFileSync(join(root, id, 'episode.yaml'), yaml);
  writeFileSync(join(root, id, 'a.cfg'), 'frontend f\n    bind *:80\n    default_backend b\nbackend b\n    server s1 app1:5001\n');
}

// The errors of loading an episode, as "line: message".
function errorsOf(id: string): string[] {
  try {
    loadEpisode(id, root);
  } catch (e) {
    if (e instanceof EpisodeLoadError) return e.errors.map((x) => `${x.loc.line}: ${x.message}`);
    throw e;
  }
  return [];
}

describe('episode schema', () => {
  it('loads a well-formed episode with defaults filled in', () => {
    write('tiny', GOOD);
    const e = loadEpisode('tiny', root);
    expect(e.id).toBe('tiny');
    expect(e.steps[0]!.apps).toEqual(['app1']);
    expect(e.steps[0]!.experiments[0]).toMatchObject({ repeat: 3, concurrency: 1 });
    expect(e.steps[0]!.config).toBe(join(root, 'tiny', 'a.cfg'));
    expect(e.steps[0]!.checks[0]!.involves.length).toBeGreaterThan(0);
  });

  it('names the line of a misspelled key and suggests the right one', () => {
    write('typo', GOOD.replace('        repeat: 3', '        repaet: 3'));
    expect(errorsOf('typo')).toEqual([expect.stringMatching(/^19: .*unknown key 'repaet', did you mean 'repeat'\?/)]);
  });

  it('names the line of a check that refers to an experiment the step does not have', () => {
    write('ref', GOOD.replace('experiment: home', 'experiment: homepage'));
    expect(errorsOf('ref')).toEqual([expect.stringMatching(/^23: .*no experiment 'homepage' in this step \(known: home\)/)]);
  });

  it('reports an unknown check kind and a status out of range, each on its own line', () => {
    write('kinds', GOOD.replace('kind: status', 'kind: statuz'));
    expect(errorsOf('kinds')).toEqual([expect.stringMatching(/^21: .*kind: expected one of distribution, order, route/)]);
    write('range', GOOD.replace('status: 200', 'status: 2000'));
    expect(errorsOf('range')).toEqual([expect.stringMatching(/^24: .*status: must be <= 599, got 2000/)]);
  });

  it('reports a missing config file, an unknown app and a bad curl flag together', () => {
    const yaml = GOOD.replace('config: a.cfg', 'config: missing.cfg\n    apps: [app9]').replace('curl http://localhost/', 'curl -Z http://localhost/');
    write('many', yaml);
    const errs = errorsOf('many');
    expect(errs).toHaveLength(3);
    expect(errs[0]).toMatch(/^15: .*file "missing.cfg" not found/);
    expect(errs[1]).toMatch(/^16: .*no app named 'app9'/);
    expect(errs[2]).toMatch(/^19: .*option -Z: not supported/);
  });

  it('rejects another format version and says which one it reads', () => {
    write('v2', GOOD.replace('format: 1', 'format: 2'));
    expect(errorsOf('v2')).toEqual([expect.stringMatching(/^1: format: this lab reads format 1, the file says 2/)]);
  });

  it('requires a task and checks for a step with a solution', () => {
    write('sol', GOOD.replace('    config: a.cfg', '    config: a.cfg\n    solution: a.cfg').replace(/    checks:[\s\S]*$/, ''));
    const errs = errorsOf('sol');
    expect(errs.some((e) => /^16: .*needs a 'task'/.test(e))).toBe(true);
    expect(errs.some((e) => /^16: .*needs checks that tell the solution from the start/.test(e))).toBe(true);
  });

  it('points YAML syntax errors at their line', () => {
    write('syntax', GOOD.replace('title: Tiny', 'title: [Tiny'));
    expect(errorsOf('syntax')[0]).toMatch(/^\d+: YAML: /);
  });

  it('prints errors as file:line:col: message, with the file named', () => {
    write('typo', GOOD.replace('    title: First step', '    titel: First step'));
    try {
      loadEpisode('typo', root);
      expect.unreachable();
    } catch (e) {
      const text = formatEpisodeError((e as EpisodeLoadError).errors[0]!);
      expect(text).toMatch(/typo\/episode\.yaml:13:5: steps\[0\]: unknown key 'titel', did you mean 'title'\?/);
    }
  });

  it('resolves a mark given by text to its config line', () => {
    write('marks', GOOD.replace('    config: a.cfg', '    config: a.cfg\n    marks:\n      - match: default_backend\n        note: here'));
    expect(loadEpisode('marks', root).steps[0]!.marks).toEqual([{ line: 3, note: 'here' }]);
    write('badmark', GOOD.replace('    config: a.cfg', '    config: a.cfg\n    marks:\n      - match: use_backend\n        note: here'));
    expect(errorsOf('badmark')).toEqual([expect.stringMatching(/^17: .*no line of the config contains "use_backend"/)]);
  });

  it('keeps loading the good episodes when one is broken', () => {
    write('good', GOOD);
    write('bad', GOOD.replace('format: 1', 'format: one'));
    const r = loadAllEpisodes(root);
    expect(r.episodes.map((e) => e.id)).toEqual(['good']);
    expect(r.errors[0]!.loc.file).toMatch(/bad\/episode\.yaml$/);
  });

  it('turns a check\'s own curl into a request the step sends, and refuses curl together with experiment', () => {
    write('own', GOOD.replace('        experiment: home\n', '        curl: curl --interface 127.66.0.9 http://localhost/x\n        repeat: 2\n'));
    const step = loadEpisode('own', root).steps[0]!;
    expect(step.experiments.map((e) => e.id)).toEqual(['home']);
    expect(step.probes).toEqual([expect.objectContaining({ curl: 'curl --interface 127.66.0.9 http://localhost/x', repeat: 2, concurrency: 1 })]);
    expect(step.checks[0]).toMatchObject({ kind: 'status', experiment: step.probes![0]!.id });
    write('both', GOOD.replace('        experiment: home\n', '        experiment: home\n        curl: curl http://localhost/\n'));
    expect(errorsOf('both')).toEqual([expect.stringMatching(/^24: .*give either 'experiment' .* or 'curl' .*, not both/)]);
    write('none', GOOD.replace('        experiment: home\n', ''));
    expect(errorsOf('none')).toEqual([expect.stringMatching(/^21: .*\(status\): say which requests it judges: 'experiment: ID' or 'curl: curl \.\.\.'/)]);
    write('badcurl', GOOD.replace('        experiment: home\n', '        curl: wget http://localhost/\n'));
    expect(errorsOf('badcurl')).toEqual([expect.stringMatching(/^23: .*curl: expected a curl command line/)]);
    write('norepeat', GOOD.replace('        experiment: home\n', '        experiment: home\n        repeat: 3\n'));
    expect(errorsOf('norepeat')).toEqual([expect.stringMatching(/^24: .*repeat: only a check with its own 'curl' sends requests/)]);
  });

  it('checks an instances check\'s shares against the step\'s apps, at their line', () => {
    const check = (shares: string) => GOOD.replace(/    checks:[\s\S]*$/, `    checks:\n      - kind: instances\n        title: App 1 received them\n        experiment: home\n        shares: ${shares}\n        hint: Point the server at app1.\n`);
    write('inst', check('{ app1: 1 }'));
    expect(loadEpisode('inst', root).steps[0]!.checks[0]).toMatchObject({ kind: 'instances', shares: { app1: 1 }, tolerance: 0 });
    write('inst-unknown', check('{ app7: 1 }'));
    expect(errorsOf('inst-unknown')).toEqual([expect.stringMatching(/^24: .*shares: 'app7' is not an app of this step \(apps: app1\)/)]);
    write('inst-zero', check('{ app1: 0 }'));
    expect(errorsOf('inst-zero')).toEqual([expect.stringMatching(/^24: .*give each app instance a relative share/)]);
  });

  it('wants a passthrough check on a step with a config', () => {
    const yaml = GOOD.replace('    config: a.cfg\n', '').replace(/    checks:[\s\S]*$/, '    checks:\n      - kind: passthrough\n        title: Bytes untouched\n        experiment: home\n        hint: mode tcp\n');
    write('pass', yaml);
    expect(errorsOf('pass')).toEqual([expect.stringMatching(/^20: .*a passthrough check needs a step with a config/)]);
  });

  it('lists wrong answers of an edit step and refuses one that is the solution, or a missing file', () => {
    const edit = (wrong: string) => GOOD.replace('    config: a.cfg', '    config: a.cfg\n    solution: s.cfg\n    task: Change it.') + `    wrong:\n${wrong}`;
    write('wrong', edit('      - file: w.cfg\n        why: points nowhere\n'));
    writeFileSync(join(root, 'wrong', 's.cfg'), 'frontend f\n    bind *:80\n    default_backend b\nbackend b\n    server s1 app1:5001 check\n');
    writeFileSync(join(root, 'wrong', 'w.cfg'), 'frontend f\n    bind *:80\n    default_backend b\nbackend b\n    server s1 app9:5009 check\n');
    expect(loadEpisode('wrong', root).steps[0]!.wrong).toEqual([{ file: join(root, 'wrong', 'w.cfg'), why: 'points nowhere', loc: expect.anything() }]);
    writeFileSync(join(root, 'wrong', 'w.cfg'), 'frontend f\n    bind *:80\n    default_backend b\nbackend b\n    server s1 app1:5001 check\n');
    expect(errorsOf('wrong')).toEqual([expect.stringMatching(/^29: .*wrong\[0\]\.file: it is the same text as the solution/)]);
    write('wrong-missing', edit('      - file: nope.cfg\n        why: x\n'));
    writeFileSync(join(root, 'wrong-missing', 's.cfg'), 'x\n');
    expect(errorsOf('wrong-missing')).toEqual([expect.stringMatching(/^29: .*file "nope.cfg" not found next to episode.yaml/)]);
    write('wrong-noedit', GOOD + '    wrong:\n      - file: a.cfg\n        why: x\n');
    expect(errorsOf('wrong-noedit')).toEqual([expect.stringMatching(/^26: .*wrong answers belong to a step the learner edits/)]);
  });
});

describe('learner files and Docker steps', () => {
  const DOCKER_STEP = `  - id: build
    title: Build it
    explain: Words.
    apps: []
    task: Fix the Dockerfile.
    files:
      - name: Dockerfile
        start: Dockerfile.start
        solution: Dockerfile.done
    docker:
      build: my-app
      run: { image: my-app, port: 5000 }
    checks:
      - kind: listening
        title: Listens on every interface
        port: 5000
        hint: host='0.0.0.0'
    wrong:
      - file: Dockerfile
        with: Dockerfile.wrong
        why: No COPY.
`;
  function writeDocker(id: string, step: string): void {
    write(id, GOOD + step);
    for (const f of ['Dockerfile.start', 'Dockerfile.done', 'Dockerfile.wrong']) writeFileSync(join(root, id, f), 'FROM python:3.9-slim\n');
  }

  it('reads files, docker plan and wrong answers, and a docker plan implies needs: [docker]', () => {
    writeDocker('dock', DOCKER_STEP);
    const step = loadEpisode('dock', root).steps[1]!;
    expect(step.files).toEqual([{ name: 'Dockerfile', start: join(root, 'dock', 'Dockerfile.start'), solution: join(root, 'dock', 'Dockerfile.done') }]);
    expect(step.docker).toEqual({ build: 'my-app', run: { image: 'my-app', port: 5000 } });
    expect(step.needs).toEqual(['docker']);
    expect(step.wrongFiles).toEqual([{ file: 'Dockerfile', path: join(root, 'dock', 'Dockerfile.wrong'), why: 'No COPY.' }]);
  });

  it('names the line of a wrong answer for a file no step declares, a missing file, and a run of another image', () => {
    writeDocker('bad', DOCKER_STEP.replace('      - file: Dockerfile', '      - file: app.py').replace('start: Dockerfile.start', 'start: nope.txt').replace('image: my-app', 'image: other'));
    expect(errorsOf('bad')).toEqual([
      expect.stringMatching(/^33: steps\[1\]\.files\[0\]\.start: file "nope.txt" not found next to episode.yaml/),
      expect.stringMatching(/^37: steps\[1\]\.docker\.run\.image: the lab runs the image the step builds \('my-app'\), got 'other'/),
      expect.stringMatching(/^44: steps\[1\]\.wrong\[0\]\.file: no learner file 'app.py' in this step or an earlier one \(files: none\)/),
    ]);
  });

  it('refuses a listening check on a step that runs no container', () => {
    writeDocker('norun', DOCKER_STEP.replace('      run: { image: my-app, port: 5000 }\n', ''));
    expect(errorsOf('norun')).toEqual([expect.stringMatching(/^\d+: steps\[1\]\.checks\[0\]: a listening check needs a step that runs a container \(docker\.run or docker\.containers\)/)]);
  });

  const STACK_STEP = `  - id: stack
    title: In containers
    explain: Words.
    apps: []
    files:
      - name: Dockerfile
        start: Dockerfile.start
        solution: Dockerfile.done
    docker:
      images:
        - { tag: my-app, dockerfile: Dockerfile }
      containers:
        - { name: web1, image: my-app, port: 5000 }
        - { name: lb, image: my-app, port: 80, publish: 80, proxy: true }
    experiments:
      - id: home
        curl: curl http://localhost/
    checks:
      - kind: received
        title: web1 got them
        experiment: home
        shares: { web1: 1 }
        hint: Point the server at web1.
      - kind: running
        title: lb runs
        container: lb
        hint: Look at its log.
`;

  it('reads a stack of images and containers, one of them the proxy', () => {
    writeDocker('stack', STACK_STEP);
    const step = loadEpisode('stack', root).steps[1]!;
    expect(step.docker).toEqual({
      stack: {
        images: [{ tag: 'my-app', dockerfile: 'Dockerfile' }],
        containers: [{ name: 'web1', image: 'my-app', port: 5000, proxy: false }, { name: 'lb', image: 'my-app', port: 80, publish: 80, proxy: true }],
      },
    });
    expect(step.needs).toEqual(['docker']);
    expect(step.checks.map((c) => c.kind)).toEqual(['received', 'running']);
  });

  it('names the line of a stack mistake: an unknown Dockerfile or image, two proxies, a check naming no container', () => {
    writeDocker('badstack', STACK_STEP
      .replace('dockerfile: Dockerfile }', 'dockerfile: Dockerfile.app }')
      .replace('{ name: web1, image: my-app, port: 5000 }', '{ name: web1, image: other, port: 5000, proxy: true }')
      .replace('shares: { web1: 1 }', 'shares: { web9: 1 }'));
    expect(errorsOf('badstack')).toEqual([
      expect.stringMatching(/^36: steps\[1\]\.docker\.images\[0\]\.dockerfile: 'Dockerfile\.app' is not a file of this step or an earlier one \(files: Dockerfile\)/),
      expect.stringMatching(/^38: steps\[1\]\.docker\.containers\[0\]\.image: 'other' is not an image of this step \(images: my-app\)/),
      expect.stringMatching(/^39: steps\[1\]\.docker\.containers\[1\]\.proxy: only one container of a step is the proxy/),
      expect.stringMatching(/^47: steps\[1\]\.checks\[0\]\.shares: 'web9' is not a container of this step \(docker\.containers: web1, lb\)/),
    ]);
  });
});
