// Marks follow the learner's file: with EP 4's real configs, a mark moves with its line, and a mark whose line the
// learner deleted is simply not drawn.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEpisode } from '../../../../lab/episodes/loader.ts';
import { configLines, remapMarks } from '../../../../lab/tui/state/config-lines.ts';

const step = loadEpisode('ep4-acl').steps.find((s) => s.id === 'both-conditions')!;
const start = readFileSync(step.config!, 'utf8');
const drawn = (text: string) => configLines({ text, marks: remapMarks(start, text, step.marks), errors: [], width: 120 }).lines.filter((l) => l.text.includes('▶'));

describe('marks on the learner\'s file', () => {
  it('a mark whose line was deleted is not drawn, and nothing fails', () => {
    const deleted = readFileSync(step.wrong!.find((w) => w.file.endsWith('rule-deleted.cfg'))!.file, 'utf8');
    expect(drawn(start)).toHaveLength(1);
    expect(remapMarks(start, deleted, step.marks)).toEqual([]);
    expect(drawn(deleted)).toEqual([]);
  });

  it('a mark follows its line when the learner adds lines above it', () => {
    const shifted = start.replace('frontend http_front\n', 'frontend http_front\n    # my note\n');
    const [mark] = remapMarks(start, shifted, step.marks);
    expect(shifted.split('\n')[mark!.line - 1]).toContain('use_backend post_backend');
  });
});
