// The request and response heads as fetches, balancers and rules read them (HAProxy's HTX start line and headers).

/** The request head as the HTTP parser produced it; fetches read it, nothing writes it. */
export interface HttpRequestView {
  readonly method: string;
  /** The request target exactly as received (origin-form "/a?b", or absolute-form). */
  readonly uri: string;
  /** "1.0" or "1.1" (what req.ver returns). */
  readonly version: string;
  /**
   * The path part of the target, without the query string. The `path` fetch uses it for origin-form targets
   * ("/a?b"); for absolute-form ones it reads the path from `uri` itself, as HAProxy does.
   */
  readonly path: string;
  /** Everything after the first '?', or null when there is none. */
  readonly query: string | null;
  /** Headers as received, flattened: [name0, value0, name1, value1, ...]; names keep their case. */
  readonly headers: readonly string[];
}

/** The response head as the server sent it, for http-response rules; nothing writes it while rules read it. */
export interface HttpResponseView {
  readonly status: number;
  /** "1.0" or "1.1" (what res.ver returns). */
  readonly version: string;
  /** Headers as received (minus what earlier rules removed), flattened like HttpRequestView's. */
  readonly headers: readonly string[];
  /** The compression algorithm of a response being compressed (res.comp, res.comp_algo). */
  readonly compAlgo?: string | undefined;
  /** The cache a response was answered from (res.cache_hit, res.cache_name). */
  readonly cacheName?: string | undefined;
}
