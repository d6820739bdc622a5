import { type Dispatcher, EnvHttpProxyAgent, fetch as undiciFetch, request as undiciRequest } from 'undici';

/** Hosts the CLI always reaches directly: the local stack is on this machine, never behind a proxy. */
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Every request the CLI sends goes through this dispatcher. It honours HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY (either case), which Node 20's own fetch ignores; loopback addresses are always reached
 * directly, whatever NO_PROXY says.
 */
const dispatcher: Dispatcher = new EnvHttpProxyAgent({
  noProxy: [process.env.no_proxy ?? process.env.NO_PROXY ?? '', ...LOOPBACK].filter(Boolean).join(','),
});

/** What `fetch` takes besides the URL, without a dispatcher of its own. */
export type FetchInit = Omit<NonNullable<Parameters<typeof undiciFetch>[1]>, 'dispatcher'>;

/** `fetch` through the CLI's dispatcher: proxies honoured, redirects followed. */
export function fetch(url: string, init: FetchInit = {}): ReturnType<typeof undiciFetch> {
  return undiciFetch(url, { ...init, dispatcher });
}

/** What `request` takes besides the URL, without a dispatcher of its own. */
export type StreamingRequestInit = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'dispatcher'>;

/** undici's `request` through the CLI's dispatcher (proxies honoured): for streamed request bodies. */
export function request(url: URL, init: StreamingRequestInit): Promise<Dispatcher.ResponseData> {
  return undiciRequest(url, { ...init, dispatcher });
}

/** Whether a URL points at this machine (where `npm start` runs the local stack). */
export function isLoopback(url: string): boolean {
  return LOOPBACK.includes(new URL(url).hostname);
}
