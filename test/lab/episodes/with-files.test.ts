// `--with NAME=PATH` and `--with STEP:NAME=PATH`: which steps judge which file, and a name two different files of an
// episode share (EP 2's haproxy.cfg: the engine's config, and the file copied into the haproxy-tcp image) refused
// until the step is named.
import { describe, expect, it } from 'vitest';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { resolveWith, UsageError } from '../../../lab/episodes/with-files.ts';

const ep2 = loadEpisode('ep2-tcp-proxy');
const ep9 = loadEpisode('ep9-weighted-rr');
const answer = 'episodes/ep2-tcp-proxy/docker/solution/haproxy.cfg';

describe('--with on a name two different files share', () => {
  it("refuses EP 2's bare haproxy.cfg, saying which steps have which file and how to name one", () => {
    expect(() => resolveWith(ep2, [`haproxy.cfg=${answer}`])).toThrow(UsageError);
    expect(() => resolveWith(ep2, [`haproxy.cfg=${answer}`])).toThrow(
      "--with haproxy.cfg: ep2-tcp-proxy has two different files haproxy.cfg (the config the engine runs in tcp-proxy, scale-out; a file built into an image in in-containers, scale-containers); say which step's file it is: --with tcp-proxy:haproxy.cfg=PATH, or --step ID",
    );
  });

  it('takes STEP:NAME for that one step only', () => {
    const plan = resolveWith(ep2, [`in-containers:haproxy.cfg=${answer}`]);
    expect(plan.steps).toEqual(['in-containers']);
    expect([...plan.forStep('in-containers')]).toEqual([['haproxy.cfg', expect.stringMatching(/docker\/solution\/haproxy\.cfg$/)]]);
    expect(plan.forStep('scale-containers').size).toBe(0);
    expect(plan.forStep('tcp-proxy').size).toBe(0);
  });

  it('judges two steps apart in one run when each is named', () => {
    const plan = resolveWith(ep2, [`tcp-proxy:haproxy.cfg=episodes/ep2-tcp-proxy/haproxy.cfg`, `in-containers:haproxy.cfg=${answer}`]);
    expect(plan.steps).toEqual(['tcp-proxy', 'in-containers']);
    expect(plan.forStep('tcp-proxy').get('haproxy.cfg')).toMatch(/ep2-tcp-proxy\/haproxy\.cfg$/);
    expect(plan.forStep('in-containers').get('haproxy.cfg')).toMatch(/docker\/solution\/haproxy\.cfg$/);
  });

  it('takes the bare name when --step leaves one kind of file', () => {
    const plan = resolveWith(ep2, [`haproxy.cfg=${answer}`], ['in-containers', 'scale-containers']);
    expect(plan.steps).toEqual(['in-containers', 'scale-containers']);
    expect(plan.forStep('scale-containers').get('haproxy.cfg')).toMatch(/docker\/solution\/haproxy\.cfg$/);
    expect(() => resolveWith(ep2, [`haproxy.cfg=${answer}`], ['scale-out', 'in-containers'])).toThrow(/two different files haproxy\.cfg \(the config the engine runs in scale-out; a file built into an image in in-containers\)/);
  });

  it('keeps a bare name that is the same file in every step that has it (EP 9’s equal.cfg)', () => {
    const plan = resolveWith(ep9, ['equal.cfg=episodes/ep9-weighted-rr/equal.cfg']);
    expect(plan.steps).toEqual(['equal-turns', 'add-weights']);
  });

  it('refuses a step that does not exist, a step without that file, and a named step left out by --step', () => {
    expect(() => resolveWith(ep2, [`in-container:haproxy.cfg=${answer}`])).toThrow(/^--with in-container:haproxy\.cfg: episode ep2-tcp-proxy has no step 'in-container' \(steps: tcp-proxy, scale-out, in-containers, scale-containers\)$/);
    expect(() => resolveWith(ep2, [`scale-containers:Dockerfile=${answer}`])).toThrow(/^--with scale-containers:Dockerfile: step scale-containers of ep2-tcp-proxy has no file Dockerfile \(its files: haproxy\.cfg\)$/);
    expect(() => resolveWith(ep2, [`in-containers:haproxy.cfg=${answer}`], ['tcp-proxy'])).toThrow(/step in-containers is not among --step tcp-proxy/);
  });
});
