import { operationName } from '../../shared/domain/operation-texts.ts';
import { type AgencyOptions, AgencyView } from './agency-view.ts';
import { type Api, ApiError, apiBaseUrl, createApi } from './api-client.ts';
import type { OperationStatus, OperationSummary, Participant, RollupView } from './api-types.ts';
import { showCliDownload } from './cli-link.ts';
import { createCountryApi } from './country-api.ts';
import { RoutedViews } from './country-routes.ts';
import { DashboardView } from './dashboard-view.ts';
import { byId, h, setAttr, setHidden, setText } from './dom.ts';
import { FinalView } from './final-view.ts';
import { formatDateTime, setPageFormat } from './format.ts';
import { pageIntlLocale, pageLocale, startLanguage, t, useOperationTexts } from './i18n.ts';
import { LedgerView } from './ledger-view.ts';
import { type HostedSession, hostedSession, loadSignInEndpoints } from './oidc.ts';
import { documentVisibility, type Poller, startPoller } from './poller.ts';
import { readToken, tokenStore } from './session.ts';
import { regionName, SignInView } from './sign-in-view.ts';
import { createTimelineApi, type TimelineApi } from './timeline-api.ts';
import { parseAsOf } from './timeline-model.ts';
import { TimelineView } from './timeline-view.ts';
import { createUploadApi } from './upload-api.ts';
import { VersionedFeed } from './versioned-feed.ts';

// The language first: every view builds its texts in it (top-level await: nothing below runs before).
await startLanguage(document, localStorage, navigator.languages);
// English keeps the browser's own formats (as before); another language formats as it does.
if (pageLocale() !== 'en') setPageFormat(pageIntlLocale(), t('web.not-reported'));

/** How often the page asks for news; a 304 costs the API one item read. */
const POLL_MS = 3000;

const params = new URL(location.href).searchParams;
const baseUrl = apiBaseUrl(location.href);
const store = tokenStore(sessionStorage);
const publicApi = createApi({ baseUrl });
const visibility = documentVisibility(document);

let poller: Poller | null = null;
let session = 0;

const announce = (message: string) => setText(byId('announcer'), message);
const dashboard = new DashboardView(announce);
const finalView = new FinalView(announce);
const ledger = new LedgerView();
const timeline = new TimelineView();
const signIn = new SignInView((token) => void start(token));
/** The drill-down (`#/countries/{CC}`) and the press summary (`#/press`), as the address says. */
const routed = new RoutedViews(announce);
/** The identity provider's sign-in, when /config.json names one (deployed); null on the local stack. */
let hosted: HostedSession | null = null;

/** The bar at the top tells whether the figures are live. */
function liveState(state: 'live' | 'paused' | 'error' | 'idle', text: string): void {
  const node = byId('live-state');
  setAttr(node, 'data-state', state);
  setText(node, text);
}

function alertMessage(message: string): void {
  setText(byId('alert'), message);
  setHidden(byId('alert'), message === '');
}

function stop(): void {
  session += 1;
  poller?.stop();
  poller = null;
  finalView.stop();
  ledger.stop();
  timeline.stop();
  routed.close();
  for (const id of ['dashboard', 'agency', 'op-meta', 'sign-out']) setHidden(byId(id), true);
  byId('submissions-body').replaceChildren();
  setText(byId('who'), '');
  alertMessage('');
}

async function showSignIn(message = ''): Promise<void> {
  stop();
  setText(byId('op-name'), t('web.heading.dashboard'));
  liveState('idle', '');
  signIn.show(await publicApi.localTokens().catch(() => null), message);
}

function signOut(message = ''): void {
  store.clear();
  void showSignIn(message);
}

/** `?op=` when it names an operation, else the first open one, else the first. */
function chooseOperation(operations: OperationSummary[]): OperationSummary | undefined {
  const wanted = params.get('op');
  return (
    operations.find((o) => o.id === wanted) ?? operations.find((o) => o.status === 'open') ?? operations[0]
  );
}

function describeFailure(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

async function start(token: string): Promise<void> {
  const reading = readToken(token);
  if (!reading.ok) {
    const why = t(reading.text.key, reading.text.params);
    if (byId('sign-in').hidden) signOut(why);
    else signIn.error(why);
    return;
  }
  if (reading.expiresAt !== null && reading.expiresAt < Date.now()) {
    signOut(
      `This token expired at ${formatDateTime(new Date(reading.expiresAt).toISOString())}: get a new one.`,
    );
    return;
  }
  stop();
  const mine = session;
  const door = hosted;
  const api = createApi({ baseUrl, token, fetch: door ? (url, init) => door.fetch(url, init) : undefined });
  let operations: OperationSummary[];
  try {
    operations = await api.listOperations();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401)
      signOut('The API refused this token (401): it is invalid or expired.');
    else signIn.error(`Cannot sign in: ${describeFailure(e)}`);
    return;
  }
  if (mine !== session) return;
  store.save(token);
  // The sign-in panel is about to disappear: keep keyboard focus on the page, not on nothing.
  const focusWasInSignIn = byId('sign-in').contains(document.activeElement);
  signIn.hide();
  if (focusWasInSignIn) byId('main').focus();
  const { principal } = reading;
  setText(
    byId('who'),
    principal.role === 'agency' && principal.country
      ? t('web.signed-in.agency', { country: regionName(principal.country) })
      : t('web.signed-in.role', { role: principal.role }),
  );
  setHidden(byId('sign-out'), false);

  const chosen = chooseOperation(operations);
  const select = byId<HTMLSelectElement>('op-select');
  select.replaceChildren(
    ...operations.map((o) =>
      h('option', { value: o.id }, t('web.operation-option', { name: o.name, status: o.status })),
    ),
  );
  if (chosen) select.value = chosen.id;
  setHidden(byId('op-picker'), operations.length < 2);
  if (!chosen) {
    alertMessage(t('web.no-operation'));
    return;
  }
  try {
    const detail = await api.getOperation(chosen.id);
    if (mine !== session) return;
    useOperationTexts(detail.definition);
    setText(byId('op-name'), operationName(detail.definition, pageLocale()));
    if (principal.role === 'agency' && principal.country) {
      startAgency(api, chosen.id, principal.country, mine, {
        uploads: createUploadApi({ baseUrl, token }),
        definition: detail.definition,
      });
    } else {
      dashboard.reset(detail.definition.participants, detail.definition.metrics);
      startDashboard(api, chosen.id, mine, {
        participants: detail.definition.participants,
        ledger: principal.role !== 'agency',
        timeline: createTimelineApi({
          baseUrl,
          token,
          fetch: door ? (url, init) => door.fetch(url, init) : undefined,
        }),
      });
    }
    routed.open({
      api: createCountryApi({
        baseUrl,
        token,
        fetch: door ? (url, init) => door.fetch(url, init) : undefined,
      }),
      operation: chosen.id,
      definition: detail.definition,
      ownCountry: principal.role === 'agency' ? (principal.country ?? null) : null,
    });
  } catch (e) {
    alertMessage(`Cannot open ${chosen.name}: ${describeFailure(e)}`);
  }
}

/** Turns an API failure during polling into what the user sees; true when polling should go on. */
function pollFailure(e: unknown): boolean {
  if (e instanceof ApiError && e.status === 401) {
    signOut('Your session ended: the API no longer accepts the token (401). Sign in again.');
    return false;
  }
  if (e instanceof ApiError && e.status === 403) {
    stop();
    alertMessage(`Not allowed: ${e.message}`);
    return false;
  }
  liveState('error', t('web.live.error', { reason: describeFailure(e) }));
  return true;
}

/**
 * The coordination view: the rollup, polled; the final figures, asked for whenever the status
 * changes (and, once closed, when the figures do); the ledger for coordinators, auditors and admins.
 */
function startDashboard(
  api: Api,
  operation: string,
  mine: number,
  options: { participants: Participant[]; ledger: boolean; timeline: TimelineApi },
): void {
  setHidden(byId('dashboard'), false);
  finalView.start(api, operation, options.participants);
  if (options.ledger) ledger.start(api, operation, options.participants);
  const feed = new VersionedFeed<RollupView>((etag) => api.getRollup(operation, etag));
  let shown: { status: OperationStatus; version: number } | null = null;
  poller = startPoller({
    intervalMs: POLL_MS,
    visibility,
    tick: async () => {
      if (mine !== session) return;
      try {
        const outcome = await feed.next();
        if (mine !== session) return;
        routed.poll();
        if (outcome.kind === 'updated') {
          const { status, version } = outcome.data;
          timeline.noteLive(outcome.data);
          routed.rollup(outcome.data);
          // Showing a past moment (the timeline's "as of"): the live figures wait for "back to live".
          if (timeline.viewingPast) return;
          dashboard.show(outcome.data);
          const closed = status === 'closed' || status === 'final';
          if (status !== shown?.status || (closed && version !== shown.version)) void finalView.refresh();
          shown = { status, version };
        }
        if (timeline.viewingPast) return;
        dashboard.tick(Date.now());
        liveState('live', t('web.live.checked', { time: formatDateTime(new Date().toISOString()) }));
      } catch (e) {
        if (mine === session && pollFailure(e)) throw e;
      }
    },
  });
  timeline.start(
    options.timeline,
    operation,
    {
      pause: () => {
        poller?.pause();
        liveState('paused', t('web.live.paused-past'));
      },
      show: (rollup) => dashboard.show(rollup),
      resume: () => {
        if (feed.current) dashboard.show(feed.current);
        poller?.resume();
      },
      announce,
    },
    parseAsOf(new URL(location.href).searchParams.get('asOf')),
  );
}

function startAgency(
  api: Api,
  operation: string,
  country: string,
  mine: number,
  options: AgencyOptions,
): void {
  setHidden(byId('agency'), false);
  const view = new AgencyView(api, operation, country, regionName(country), options);
  poller = startPoller({
    intervalMs: POLL_MS,
    visibility,
    tick: async () => {
      if (mine !== session) return;
      try {
        await view.refresh();
        routed.poll();
        liveState('live', t('web.live.checked', { time: formatDateTime(new Date().toISOString()) }));
      } catch (e) {
        if (mine === session && pollFailure(e)) throw e;
      }
    },
  });
}

function applyTheme(projector: boolean): void {
  document.documentElement.dataset.theme = projector ? 'projector' : 'standard';
  setAttr(byId('projector-toggle'), 'aria-pressed', String(projector));
  dashboard.restyle();
  timeline.restyle();
  routed.restyle();
}

byId('projector-toggle').addEventListener('click', () => {
  const projector = document.documentElement.dataset.theme !== 'projector';
  localStorage.setItem('optally.projector', projector ? '1' : '0');
  applyTheme(projector);
});
byId('sign-out').addEventListener('click', () => {
  if (!hosted?.current()) return signOut();
  store.clear();
  void hosted.signOut();
});
byId<HTMLSelectElement>('op-select').addEventListener('change', (event) => {
  const url = new URL(location.href);
  url.searchParams.set('op', (event.target as HTMLSelectElement).value);
  history.replaceState(null, '', url);
  params.set('op', url.searchParams.get('op') ?? '');
  const token = store.load();
  if (token) void start(token);
});
visibility.onChange(() => {
  if (visibility.isHidden() && poller) liveState('paused', t('web.live.paused-hidden'));
});

setText(byId('time-zone'), Intl.DateTimeFormat().resolvedOptions().timeZone);
void showCliDownload();
applyTheme(localStorage.getItem('optally.projector') === '1' || params.get('projector') === '1');
void (async () => {
  const endpoints = await loadSignInEndpoints();
  if (endpoints) {
    const door = hostedSession(endpoints);
    hosted = door;
    signIn.offerHostedSignIn(() => void door.signIn());
    door.onRenewed((token) => store.save(token));
    try {
      const token = await door.restore();
      // Back from the sign-in page: the address has its query string (?op=…) again.
      for (const key of ['code', 'state']) params.delete(key);
      for (const [key, value] of new URL(location.href).searchParams) params.set(key, value);
      if (token) return void start(token);
    } catch (e) {
      return void showSignIn(`Sign-in failed: ${describeFailure(e)}`);
    }
  }
  const saved = store.load();
  if (saved) void start(saved);
  else void showSignIn();
})();
