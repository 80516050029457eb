/**
 * What the benchmarks (and tests that must know media arrives) measure media with: a probe
 * injected into the page before its scripts, sampling every PeerConnection's inbound video
 * frames and audio packets every 50 ms, and how to read a recovery off those samples.
 */
import { expect, type Page } from '@playwright/test'

/**
 * Injected before any page script: records every PeerConnection's inbound video frames and
 * audio packets, and its signalling as it happens (local offers, remote answers, ICE states,
 * with the selected pair once connected), so a recovery can be split into phases alike for
 * Holdfast and the baselines.
 */
export const probe = `
  window.__probe = { samples: [], pcs: [], events: [], Native: window.RTCPeerConnection };
  const now = () => performance.timeOrigin + performance.now();
  const note = (kind, detail) => window.__probe.events.push({ at: now(), kind, detail: detail || '' });
  const pairOf = async (pc) => {
    try {
      let pair = '';
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && !pair) pair = s.localCandidateId + '>' + s.remoteCandidateId;
      });
      const stats = await pc.getStats();
      const [l, r] = pair.split('>');
      const at = (id) => { const c = stats.get(id); return c ? (c.address || c.ip) + ':' + c.port : '?'; };
      return pair ? at(l) + ' -> ' + at(r) : '';
    } catch { return ''; }
  };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    window.__probe.pcs.push(pc);
    // Holdfast's gathering probe (a throwaway PeerConnection) is not a call: not noted.
    let throwaway = false;
    const createChannel = pc.createDataChannel.bind(pc);
    pc.createDataChannel = (label, ...rest) => { if (label === 'gathering-probe') throwaway = true; return createChannel(label, ...rest); };
    const setLocal = pc.setLocalDescription.bind(pc);
    pc.setLocalDescription = (d, ...rest) => { if (!throwaway) note('local-' + ((d && d.type) || 'auto')); return setLocal(d, ...rest); };
    const setRemote = pc.setRemoteDescription.bind(pc);
    pc.setRemoteDescription = (d, ...rest) => { note('remote-' + ((d && d.type) || '?')); return setRemote(d, ...rest); };
    pc.addEventListener('iceconnectionstatechange', async () => {
      const state = pc.iceConnectionState;
      note('ice-' + state, state === 'connected' || state === 'completed' ? await pairOf(pc) : '');
    });
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
  setInterval(async () => {
    let frames = 0, audio = 0;
    for (const pc of window.__probe.pcs) {
      if (pc.connectionState === 'closed') continue;
      try {
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
          if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
        });
      } catch {}
    }
    window.__probe.samples.push({ at: performance.timeOrigin + performance.now(), frames, audio });
  }, 50);
`

/**
 * Injected after `probe` when a benchmark runs with HOLDFAST_BENCH_DEBUG: every candidate pair
 * of every call, as the page's stats say each time it changes (state, nominated, checks sent and
 * answered, whether it carried media), and the pair in use. It is how a restart whose new pair worked but was not
 * used was seen (issue 13, ice-generations.ts).
 */
export const pairTrace = `
  setInterval(async () => {
    for (const pc of window.__probe.pcs) {
      if (pc.connectionState === 'closed') continue;
      try {
        const stats = await pc.getStats();
        const at = (id) => { const c = stats.get(id); return c ? (c.address || c.ip) + ':' + c.port : '?'; };
        const lines = [];
        stats.forEach((s) => {
          if (s.type === 'transport') lines.push('in use: ' + (s.selectedCandidatePairId ? at(stats.get(s.selectedCandidatePairId).localCandidateId) : '-'));
          if (s.type === 'candidate-pair') lines.push(at(s.localCandidateId) + '>' + at(s.remoteCandidateId) + ' ' + s.state + (s.nominated ? ' nominated' : '') + ' checks ' + s.requestsSent + '/' + s.responsesReceived + (s.bytesReceived > 0 ? ' has carried media' : ''));
        });
        const key = lines.join(' | ');
        if (key !== pc.__pairs) { pc.__pairs = key; window.__probe.events.push({ at: performance.timeOrigin + performance.now(), kind: 'pairs', detail: key }); }
      } catch {}
    }
  }, 100);
`

/**
 * Debug only: what every call's video is doing, each 100 ms while it changes: received (packets,
 * frames, decoded, keyframes decoded, dropped, the PLIs and FIRs our receiver sent) and sent
 * (frames and keyframes encoded, the PLIs and FIRs our sender was asked, what limits it). How a
 * first frame that comes seconds after the first packet is told apart: no keyframe asked, asked
 * and not made, or made and not decoded (issue 13).
 */
export const videoTrace = `
  setInterval(async () => {
    for (const pc of window.__probe.pcs) {
      if (pc.connectionState === 'closed') continue;
      try {
        const lines = [];
        (await pc.getStats()).forEach((s) => {
          if (s.kind !== 'video') return;
          if (s.type === 'inbound-rtp') lines.push('in pk ' + s.packetsReceived + ' fr ' + s.framesReceived + ' dec ' + s.framesDecoded + ' key ' + s.keyFramesDecoded + ' drop ' + s.framesDropped + ' pli ' + s.pliCount + ' fir ' + s.firCount + ' nack ' + s.nackCount);
          if (s.type === 'outbound-rtp') lines.push('out enc ' + s.framesEncoded + ' key ' + s.keyFramesEncoded + ' sent ' + s.framesSent + ' pli ' + s.pliCount + ' fir ' + s.firCount + ' ' + s.qualityLimitationReason + ' ' + Math.round((s.targetBitrate || 0) / 1000) + ' kb/s');
        });
        const key = lines.join(' | ');
        if (key !== pc.__video) { pc.__video = key; window.__probe.events.push({ at: performance.timeOrigin + performance.now(), kind: 'video', detail: key }); }
      } catch {}
    }
  }, 100);
`

/**
 * Injected after `probe` in a benchmark: the host addresses the browser can gather on, noted
 * each time the set changes, two ways every 100 ms (issue 13):
 * - `gatherable`: a throwaway PeerConnection of the page itself (kept out of the probe's calls).
 *   It shows when the page's Chromium learnt of a new network, the floor under any restart: a
 *   restart gathers on what the page knows, and it learns of a new interface 0.5-3 s after the OS.
 * - `gatherable-fresh`: one made in a fresh frame (added, used, removed). A new document asks
 *   the network service for the interfaces at once; a live one waits for Chromium's
 *   network-change notice. So this shows what the OS offered, and the gap between the two is
 *   Chromium's delay alone.
 */
export const gatherTrace = `
  (() => {
    // Init scripts run in every frame, the trace's own frames too: the top one alone traces.
    if (window !== window.top) return;
    const gather = (Ctor, done) => new Promise((resolve) => {
      const pc = new Ctor({ iceServers: [] });
      const hosts = new Set();
      const end = () => { clearTimeout(timer); pc.close(); done(); resolve([...hosts].sort().join(',') || 'none'); };
      const timer = setTimeout(end, 300);
      pc.onicecandidate = (e) => { if (!e.candidate) end(); else if (e.candidate.type === 'host' && e.candidate.address) hosts.add(e.candidate.address); };
      pc.createDataChannel('gather-trace');
      pc.createOffer().then((o) => pc.setLocalDescription(o)).catch(end);
    });
    const own = () => gather(window.__probe.Native, () => {});
    const fresh = () => {
      const frame = document.createElement('iframe');
      frame.style.display = 'none';
      (document.body || document.documentElement).appendChild(frame);
      const win = frame.contentWindow;
      return gather((win.__probe && win.__probe.Native) || win.RTCPeerConnection, () => frame.remove());
    };
    const trace = async (kind, once) => {
      let last;
      for (;;) {
        const hosts = await once().catch(() => 'error');
        if (hosts !== last) { last = hosts; window.__probe.events.push({ at: performance.timeOrigin + performance.now(), kind, detail: hosts }); }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    trace('gatherable', own);
    const whenBody = () => (document.body ? trace('gatherable-fresh', fresh) : setTimeout(whenBody, 50));
    whenBody();
  })();
`

/**
 * Debug only: every WebSocket the page makes, when it was created, opened, failed and closed
 * (with the close code), in the probe's events. How the time an abrupt switch's claim waits
 * is split between the browser and the network (issue 13).
 */
export const socketTrace = `
  (() => {
    const Native = window.WebSocket;
    let count = 0;
    const note = (detail) => window.__probe.events.push({ at: performance.timeOrigin + performance.now(), kind: 'ws', detail });
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        const n = ++count;
        note('#' + n + ' created ' + url);
        this.addEventListener('open', () => note('#' + n + ' open'));
        this.addEventListener('error', () => note('#' + n + ' error'));
        this.addEventListener('close', (e) => note('#' + n + ' closed ' + e.code + (e.reason ? ' ' + e.reason : '')));
      }
    };
  })();
`

/** One probe sample: when, and the totals so far. */
export interface Sample {
  at: number
  frames: number
  audio: number
}
/** The samples the probe took so far. */
export const samples = (page: Page) => page.evaluate('window.__probe.samples') as Promise<Sample[]>

/** A PeerConnection's signalling step as the probe saw it. */
export interface PcEvent {
  at: number
  /** local-offer, local-answer, remote-offer, remote-answer, ice-connected, ice-checking ... */
  kind: string
  /** For ice-connected / ice-completed: the selected pair, local -> remote. */
  detail: string
}
/** The PeerConnection events the probe recorded so far. */
export const pcEvents = (page: Page) => page.evaluate('window.__probe.events') as Promise<PcEvent[]>

/**
 * When media came back: the end of the longest pause in a counter's growth that ends after
 * the network was back, measured from `back` (0 when media never paused for 200 ms, i.e. the
 * event did not interrupt it). Undefined when it had not resumed by `until`.
 */
export function resumedAfter(
  all: Sample[],
  key: 'frames' | 'audio',
  broke: number,
  back: number,
  until: number,
): number | undefined {
  const end = Math.min(until, all.at(-1)?.at ?? until)
  const window = all.filter((s) => s.at >= broke - 500 && s.at <= end)
  const increases: number[] = []
  for (let i = 1; i < window.length; i++)
    if (window[i]![key] !== window[i - 1]![key]) increases.push(window[i]!.at)
  let longest = { from: broke, to: broke, length: 0 }
  for (let i = 1; i < increases.length; i++) {
    const [from, to] = [increases[i - 1]!, increases[i]!]
    if (to >= broke && to - from > longest.length) longest = { from, to, length: to - from }
  }
  const lastIncrease = increases.at(-1) ?? broke
  // Still paused at the end, longer than any pause it recovered from: not back.
  if (end - lastIncrease > Math.max(longest.length, 1000)) return undefined
  if (longest.length < 200) return 0
  return Math.max(0, longest.to - back)
}

/** The p-th percentile (nearest rank). */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/**
 * Whether `key` rose steadily over the last `forMs` up to `now`: no gap over 300 ms between
 * increases, the last one within 300 ms of `now`.
 */
export function flowingFor(
  all: Sample[],
  key: 'frames' | 'audio',
  now: number,
  forMs: number,
): boolean {
  const recent = all.filter((s) => s.at >= now - forMs - 300)
  const rises: number[] = []
  for (let i = 1; i < recent.length; i++)
    if (recent[i]![key] !== recent[i - 1]![key]) rises.push(recent[i]!.at)
  if (rises.length === 0 || now - rises.at(-1)! > 300 || rises[0]! > now - forMs + 300) return false
  return rises.every((at, i) => i === 0 || at - rises[i - 1]! <= 300)
}

/**
 * Waits until `key` has been flowing again for a second, two seconds or more after the
 * network was back (a call whose media stops a moment after the event must not pass for
 * recovered), or `deadlineMs` after `back` passed (then it did not recover).
 */
export async function untilFlowingAgain(
  page: Page,
  key: 'frames' | 'audio',
  back: number,
  deadlineMs: number,
): Promise<void> {
  const until = back + deadlineMs
  await expect
    .poll(
      async () => {
        const now = Date.now()
        if (now > until) return true
        const all = await samples(page)
        return now - back > 2000 && flowingFor(all, key, all.at(-1)?.at ?? now, 1000)
      },
      { timeout: deadlineMs + 5000, intervals: [200] },
    )
    .toBe(true)
}
