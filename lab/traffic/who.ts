// Who answered: the documents' apps name themselves in their bodies ("Hello from Flask App 1!").

/** An app the lab knows and the text its answers contain. */
export interface NamedApp {
  readonly name: string;
  readonly answers?: string;
}

/** A label for an answer with no app match: the short text body itself, or an HTML page's <title>. */
export function selfName(body: string): string | null {
  const text = body.trim();
  if (text === '') return null;
  const title = /<title>([^<]*)<\/title>/i.exec(text);
  if (title) return title[1]!.trim() || null;
  if (text.startsWith('<')) return null;
  const first = text.split('\n')[0]!.trim();
  return first.length > 80 ? first.slice(0, 77) + '...' : first;
}

// Names the app whose `answers` text the body contains; null when none (or several) match.
export function appFromBody(body: string, apps: readonly NamedApp[]): string | null {
  const hits = apps.filter((a) => a.answers !== undefined && a.answers !== '' && body.includes(a.answers));
  if (hits.length === 1) return hits[0]!.name;
  // The longest match wins when one app's text contains another's ("Flask App 1" vs "Flask App 10").
  if (hits.length > 1) {
    const best = hits.reduce((a, b) => (b.answers!.length > a.answers!.length ? b : a));
    const tie = hits.filter((h) => h.answers!.length === best.answers!.length);
    return tie.length === 1 ? best.name : null;
  }
  return null;
}
