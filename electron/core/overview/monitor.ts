/**
 * All clusters at a glance. While anyone listens (the Overview screen, or the notifications a
 * window shows), every kubeconfig context and Docker endpoint is checked concurrently, each under
 * its own time limit, so one slow or dead cluster never delays the others' figures; a new
 * snapshot goes out as each check ends. Pod counts, crash loops and leases come from the shared
 * list+watch (one per context, shared with the Pods and Leaders screens), never from pod lists.
 */
import { type LeaseDelta, type LeaseSummary, type PodDelta, type PodSummary, podKey } from '@shared/kube-schemas';
import type { Notification, Overview, OverviewTarget } from '@shared/overview-schemas';
import { errorMessage } from '../errors';
import { createNotificationCenter, type NotificationCenter } from '../notifications/center';
import { createNotifier, isCrashLooping } from '../notifications/notifier';
import type { KubeFigures, SwarmFigures } from './probes';

export interface OverviewSources {
  contexts(): Promise<{ name: string; simulated: boolean }[]>;
  endpoints(): Promise<string[]>;
  probeContext(context: string, signal: AbortSignal): Promise<KubeFigures>;
  probeEndpoint(endpoint: string, signal: AbortSignal): Promise<SwarmFigures>;
  watchPods(context: string, emit: (delta: PodDelta) => void): () => void;
  watchLeases(context: string, emit: (delta: LeaseDelta) => void): () => void;
}

export interface OverviewOptions {
  /** How often each target is checked again (default 15 s). */
  intervalMs?: number;
  /** How long one target's check may take before it counts as unreachable (default 5 s). */
  timeoutMs?: number;
  /** How often Leases are judged again, since one expires by time alone (default 5 s). */
  leaseCheckMs?: number;
  /** Changes gathered into one snapshot (default 50 ms). */
  batchMs?: number;
  /** Quiet period of a notification's subject (see the transition detector). */
  quietMs?: number;
  center?: NotificationCenter;
  now?: () => number;
}

interface Entry {
  kind: 'kubernetes' | 'swarm';
  name: string;
  simulated?: boolean;
  shown: OverviewTarget;
  inFlight: boolean;
  /** Each pod's state (see PodState); the counts follow every change. */
  pods: Map<string, PodState>;
  podCounts: { ready: number; total: number };
  podsLive: boolean;
  leases: Map<string, LeaseSummary>;
  stopWatches: (() => void)[];
}

const entryKey = (kind: string, name: string) => `${kind}\0${name}`;
/** The overview shows one line per error. */
const oneLine = (message: string) => message.split('\n')[0]?.trim() ?? message;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  // A check that fails after its time ran out is already reported as such.
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * How a pod counts (bits 0–1): not at all once finished (a Job's completed pods are not "not
 * ready"), as a pod, or as a ready pod; and whether it is crash-looping (bit 2), the state the
 * notifier turns into a notification on its transition. One small number per pod, kept so the
 * counts change by each delta, not by a recount.
 */
type PodState = number;
const WEIGHT = 3;
const READY = 2;
const CRASH_LOOPING = 4;
const podState = (p: PodSummary): PodState =>
  (p.phase === 'Succeeded' || p.phase === 'Failed'
    ? 0
    : p.phase === 'Running' && !p.deleting && p.ready >= p.total
      ? READY
      : 1) | (isCrashLooping(p) ? CRASH_LOOPING : 0);
const wasCrashLooping = (state: PodState | undefined) =>
  state === undefined ? undefined : (state & CRASH_LOOPING) !== 0;

/** Adds (sign 1) or takes away (-1) a pod's weight from the counts. */
function count(entry: Entry, state: PodState | undefined, sign: 1 | -1) {
  const weight = (state ?? 0) & WEIGHT;
  if (weight === 0) return;
  entry.podCounts.total += sign;
  if (weight === READY) entry.podCounts.ready += sign;
}

export function createOverviewMonitor(sources: OverviewSources, options: OverviewOptions = {}) {
  const intervalMs = options.intervalMs ?? 15_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const batchMs = options.batchMs ?? 50;
  const now = options.now ?? Date.now;
  const center = options.center ?? createNotificationCenter({ now });
  const notifier = createNotifier(center, { quietMs: options.quietMs, now });
  const entries = new Map<string, Entry>();
  const sinks = new Set<(overview: Overview) => void>();
  let problems: string[] = [];
  let users = 0;
  let tickTimer: NodeJS.Timeout | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  let emitTimer: NodeJS.Timeout | undefined;
  let listed = false;
  /** Bumped when the monitor stops, so a listing still under way from before does nothing. */
  let generation = 0;
  let ticking = false;

  function snapshot(): Overview {
    const targets = [...entries.values()]
      .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'kubernetes' ? -1 : 1))
      .map((e): OverviewTarget => {
        if (e.kind !== 'kubernetes' || e.shown.state !== 'reachable') return e.shown;
        return { ...e.shown, pods: { ...e.podCounts, live: e.podsLive } };
      });
    return { targets, problems, generatedAt: new Date(now()).toISOString() };
  }

  function changed() {
    // Only notifications listening (every window does): the pods are kept current (their counts
    // follow each change), but no snapshot is made until an overview listener asks for one.
    if (emitTimer || sinks.size === 0) return;
    emitTimer = setTimeout(() => {
      emitTimer = undefined;
      if (!listed) return;
      const overview = snapshot();
      for (const sink of [...sinks]) sink(overview);
    }, batchMs);
  }

  /** A pod as it is now, `old` its state before (undefined: first seen): counted and judged. */
  function see(entry: Entry, key: string, pod: PodSummary, old: PodState | undefined) {
    const state = podState(pod);
    count(entry, entry.pods.get(key), -1);
    entry.pods.set(key, state);
    count(entry, state, 1);
    notifier.pod(entry.name, pod, wasCrashLooping(old));
  }

  function onPods(entry: Entry, delta: PodDelta) {
    if (delta.type === 'status') {
      entry.podsLive = delta.status.state === 'live';
    } else if (delta.type === 'reset') {
      // A relist: what was known of each pod before is its previous state; pods gone are forgotten.
      const before = entry.pods;
      entry.pods = new Map();
      entry.podCounts = { ready: 0, total: 0 };
      for (const pod of delta.items) {
        const key = podKey(pod);
        see(entry, key, pod, before.get(key));
      }
    } else if (delta.type === 'upsert') {
      for (const pod of delta.items) {
        const key = podKey(pod);
        see(entry, key, pod, entry.pods.get(key));
      }
    } else {
      for (const key of delta.keys) {
        count(entry, entry.pods.get(key), -1);
        entry.pods.delete(key);
      }
    }
    changed();
  }

  function onLeases(entry: Entry, delta: LeaseDelta) {
    if (delta.type === 'status') return;
    if (delta.type === 'delete') {
      for (const key of delta.keys) {
        entry.leases.delete(key);
        notifier.leaseGone(entry.name, key);
      }
      return;
    }
    if (delta.type === 'reset') entry.leases.clear();
    for (const lease of delta.items) {
      entry.leases.set(podKey(lease), lease);
      notifier.lease(entry.name, lease);
    }
  }

  function add(kind: Entry['kind'], name: string, simulated?: boolean): Entry {
    const entry: Entry = {
      kind,
      name,
      ...(simulated !== undefined ? { simulated } : {}),
      shown: { kind, name, state: 'checking', stacks: [], ...(simulated ? { simulated } : {}) },
      inFlight: false,
      pods: new Map(),
      podCounts: { ready: 0, total: 0 },
      podsLive: false,
      leases: new Map(),
      stopWatches: [],
    };
    if (kind === 'kubernetes') {
      entry.stopWatches.push(sources.watchPods(name, (d) => onPods(entry, d)));
      entry.stopWatches.push(sources.watchLeases(name, (d) => onLeases(entry, d)));
    }
    entries.set(entryKey(kind, name), entry);
    return entry;
  }

  function drop(key: string, entry: Entry) {
    for (const stop of entry.stopWatches) stop();
    entries.delete(key);
    notifier.forgetPlace(entry.name);
  }

  async function check(entry: Entry) {
    entry.inFlight = true;
    const aborter = new AbortController();
    const started = now();
    const base = { kind: entry.kind, name: entry.name, ...(entry.simulated ? { simulated: true } : {}) };
    let shown: OverviewTarget;
    try {
      if (entry.kind === 'kubernetes') {
        const f = await within(timeoutMs, sources.probeContext(entry.name, aborter.signal));
        shown = { ...base, state: 'reachable', ...f };
        for (const s of f.stacks) notifier.stack({ kind: 'kubernetes', context: entry.name }, s);
      } else {
        const { hasLeader, ...f } = await within(timeoutMs, sources.probeEndpoint(entry.name, aborter.signal));
        shown = { ...base, state: 'reachable', ...f };
        for (const s of f.stacks) notifier.stack({ kind: 'swarm', endpoint: entry.name }, s);
        if (hasLeader !== undefined) notifier.swarmLeader(entry.name, hasLeader);
      }
    } catch (err) {
      aborter.abort();
      shown = { ...base, state: 'unreachable', error: oneLine(errorMessage(err)), stacks: [] };
    }
    entry.inFlight = false;
    if (entries.get(entryKey(entry.kind, entry.name)) !== entry || users === 0) return;
    entry.shown = { ...shown, checkedAt: new Date(now()).toISOString(), latencyMs: now() - started };
    changed();
  }

  async function tick() {
    tickTimer = undefined;
    if (ticking) return;
    ticking = true;
    const gen = generation;
    try {
      await listAndCheck(gen);
    } finally {
      ticking = false;
    }
    // Stopped and started again meanwhile: the new listeners get their listing at once.
    if (users > 0 && !tickTimer) tickTimer = setTimeout(() => void tick(), gen === generation ? intervalMs : 0);
  }

  async function listAndCheck(gen: number) {
    const found: string[] = [];
    const [contexts, endpoints] = await Promise.all([
      within(timeoutMs, sources.contexts()).catch((err: unknown) => {
        found.push(`The kubeconfig contexts could not be read: ${oneLine(errorMessage(err))}`);
        return undefined;
      }),
      within(timeoutMs, sources.endpoints()).catch((err: unknown) => {
        found.push(`The Docker endpoints could not be read: ${oneLine(errorMessage(err))}`);
        return undefined;
      }),
    ]);
    if (users === 0 || gen !== generation) return;
    problems = found;
    const wanted = new Map<string, { kind: Entry['kind']; name: string; simulated?: boolean }>();
    for (const c of contexts ?? []) wanted.set(entryKey('kubernetes', c.name), { kind: 'kubernetes', ...c });
    for (const e of endpoints ?? []) wanted.set(entryKey('swarm', e), { kind: 'swarm', name: e });
    for (const [key, entry] of entries) {
      // A list that could not be read keeps what it listed before.
      const stillListed = entry.kind === 'kubernetes' ? contexts === undefined : endpoints === undefined;
      if (!wanted.has(key) && !stillListed) drop(key, entry);
    }
    for (const [key, t] of wanted) {
      const entry = entries.get(key) ?? add(t.kind, t.name, t.simulated);
      if (!entry.inFlight) void check(entry);
    }
    listed = true;
    changed();
  }

  function retain(): () => void {
    users += 1;
    if (users === 1) {
      void tick();
      leaseTimer = setInterval(() => {
        for (const entry of entries.values())
          for (const lease of entry.leases.values()) notifier.lease(entry.name, lease);
      }, options.leaseCheckMs ?? 5000);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      users -= 1;
      if (users === 0) stop();
    };
  }

  function stop() {
    generation += 1;
    clearTimeout(tickTimer);
    clearInterval(leaseTimer);
    clearTimeout(emitTimer);
    tickTimer = leaseTimer = emitTimer = undefined;
    for (const [key, entry] of entries) drop(key, entry);
    listed = false;
    problems = [];
  }

  return {
    /** Every target's figures: now (once the targets are listed), then a snapshot whenever one changes. */
    subscribe(emit: (overview: Overview) => void): () => void {
      const release = retain();
      sinks.add(emit);
      if (listed) emit(snapshot());
      return () => {
        sinks.delete(emit);
        release();
      };
    },
    /** The recent notifications, then each new one; listening keeps the targets watched. */
    subscribeNotifications(emit: (n: Notification) => void): () => void {
      const release = retain();
      const leave = center.subscribe(emit);
      return () => {
        leave();
        release();
      };
    },
    get watching() {
      return entries.size;
    },
    close: stop,
  };
}

export type OverviewMonitor = ReturnType<typeof createOverviewMonitor>;
