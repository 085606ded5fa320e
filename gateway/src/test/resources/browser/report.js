// Shared by the test pages: reporting to the BrowserHarness and summarising getStats().
// The harness serves this file and the pages from one origin, so /report/{page} is same-origin.
'use strict';

const params = new URLSearchParams(location.search);
const pageId = params.get('page') || 'page';
const startMs = performance.now();
const sinceStartMs = () => Math.round(performance.now() - startMs);

// A report or a getStats() call that never settles would stop a page's reporting for good (its tick stays
// busy): on a loaded machine the test then times out with a stale report. Both are bounded; how often the
// bound was hit travels in every report, so a failure message says which one stalled.
const STALL_MS = 2000;
const stalls = { reports: 0, getStats: 0 };
// Settles like promise, or with null after STALL_MS (then calls onTimeout).
function withDeadline(promise, onTimeout) {
  let timer;
  const deadline = new Promise(resolve => {
    timer = setTimeout(() => { onTimeout(); resolve(null); }, STALL_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// A heartbeat in Chromium's log (its console goes to stderr): tells a frozen page from a lost report.
setInterval(() => console.log('alive ' + sinceStartMs() + ' ms, reports sent ' + reportsSent + ', stalls ' + JSON.stringify(stalls)), 1000);
let reportsSent = 0;

let reportFailed = false;
async function report(body) {
  const controller = new AbortController();
  try {
    body.stalls = Object.assign({}, stalls);
    await withDeadline(fetch('/report/' + encodeURIComponent(pageId),
                             { method: 'POST', body: JSON.stringify(body), signal: controller.signal }),
                       () => { stalls.reports++; controller.abort(); });
    reportsSent++;
  } catch (e) {
    if (!reportFailed) console.error('report failed: ' + e);
    reportFailed = true;
  }
}

// pc.getStats(), bounded like a report: null when it stalled (the tick then reports its last summary again).
function statsOf(pc) {
  return withDeadline(pc.getStats(), () => { stalls.getStats++; });
}

async function reportError(e) {
  const message = String((e && (e.stack || e.message)) || e);
  console.error(message);
  await report({ error: message, elapsedMs: sinceStartMs() });
}
window.addEventListener('error', ev => reportError(ev.error || ev.message));
window.addEventListener('unhandledrejection', ev => reportError(ev.reason));

function iceGatheringComplete(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') resolve();
  }));
}

// Connection addresses of the a=candidate lines of an SDP (RFC 8839 §5.1: the fifth field).
function sdpCandidateAddresses(sdp) {
  return sdp.split(/\r?\n/).filter(l => l.startsWith('a=candidate:')).map(l => l.split(' ')[4]);
}

// What the Java tests assert on, from one getStats() result. Several inbound-rtp of a kind (simulcast
// never reaches a subscriber, but two video slots may) are summed.
function summarize(stats) {
  const byId = new Map();
  stats.forEach(s => byId.set(s.id, s));
  const out = {
    video: { framesDecoded: 0, framesReceived: 0, framesDropped: 0, packetsReceived: 0, packetsLost: 0,
             bytesReceived: 0, nackCount: 0, pliCount: 0, keyFramesDecoded: 0,
             freezeCount: 0, totalFreezesDuration: 0, pauseCount: 0, retransmittedPacketsReceived: 0,
             frameWidth: 0, frameHeight: 0, codec: null, decoder: null },
    audio: { totalSamplesReceived: 0, concealedSamples: 0, packetsReceived: 0, packetsLost: 0, bytesReceived: 0, codec: null },
    outbound: { video: { framesEncoded: 0, packetsSent: 0, bytesSent: 0, encodings: 0, codec: null, encoder: null,
                         nackCount: 0, pliCount: 0, retransmittedPacketsSent: 0, retransmittedBytesSent: 0,
                         qualityLimitation: {}, byRid: {} },
                audio: { packetsSent: 0, bytesSent: 0, codec: null } },
    candidates: [],
    selectedPair: null,
    rttMs: null,
  };
  const codecOf = s => (s.codecId && byId.get(s.codecId)) ? byId.get(s.codecId).mimeType : null;
  stats.forEach(s => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      const v = out.video;
      for (const k of ['framesDecoded', 'framesReceived', 'framesDropped', 'packetsReceived', 'packetsLost',
                       'bytesReceived', 'nackCount', 'pliCount', 'keyFramesDecoded', 'freezeCount', 'totalFreezesDuration',
                       'pauseCount', 'retransmittedPacketsReceived']) v[k] += s[k] || 0;
      v.frameWidth = Math.max(v.frameWidth, s.frameWidth || 0);
      v.framesPerSecond = Math.max(v.framesPerSecond || 0, s.framesPerSecond || 0);
      v.frameHeight = Math.max(v.frameHeight, s.frameHeight || 0);
      v.codec = v.codec || codecOf(s);
      v.decoder = v.decoder || s.decoderImplementation || null;
    } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      const a = out.audio;
      for (const k of ['totalSamplesReceived', 'concealedSamples', 'packetsReceived', 'packetsLost', 'bytesReceived']) a[k] += s[k] || 0;
      a.codec = a.codec || codecOf(s);
    } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
      const v = out.outbound.video;
      for (const k of ['framesEncoded', 'packetsSent', 'bytesSent', 'nackCount', 'pliCount', 'retransmittedPacketsSent',
                       'retransmittedBytesSent']) v[k] += s[k] || 0;
      v.encodings += 1;
      // Why Chromium holds an encoding back (bandwidth, cpu, other, none), by rid.
      if (s.qualityLimitationReason) v.qualityLimitation[s.rid || String(v.encodings - 1)] = s.qualityLimitationReason;
      // Per encoding: what it sends, and how long each reason held it back so far and how often that changed its
      // resolution (webrtc-stats: qualityLimitationDurations, qualityLimitationResolutionChanges).
      v.byRid[s.rid || String(v.encodings - 1)] = {
        frameWidth: s.frameWidth || 0, framesPerSecond: s.framesPerSecond || 0, active: s.active,
        targetBitrate: s.targetBitrate, reason: s.qualityLimitationReason,
        durations: s.qualityLimitationDurations, resolutionChanges: s.qualityLimitationResolutionChanges };
      if (s.scalabilityMode) v.scalabilityMode = s.scalabilityMode;
      v.codec = v.codec || codecOf(s);
      v.encoder = v.encoder || s.encoderImplementation || null;
    } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
      const a = out.outbound.audio;
      for (const k of ['packetsSent', 'bytesSent']) a[k] += s[k] || 0;
      a.codec = a.codec || codecOf(s);
    } else if (s.type === 'local-candidate' || s.type === 'remote-candidate') {
      out.candidates.push({ side: s.type === 'local-candidate' ? 'local' : 'remote',
                            address: s.address || s.ip, port: s.port, protocol: s.protocol, candidateType: s.candidateType });
    } else if (s.type === 'transport' && s.selectedCandidatePairId) {
      const pair = byId.get(s.selectedCandidatePairId);
      if (pair) {
        const local = byId.get(pair.localCandidateId), remote = byId.get(pair.remoteCandidateId);
        out.selectedPair = { local: local && (local.address || local.ip) + ':' + local.port,
                             remote: remote && (remote.address || remote.ip) + ':' + remote.port,
                             protocol: local && local.protocol, localType: local && local.candidateType,
                             relayProtocol: local && local.relayProtocol, state: pair.state };
        if (pair.currentRoundTripTime !== undefined) out.rttMs = Math.round(pair.currentRoundTripTime * 1000 * 10) / 10;
        // The sender's own bandwidth estimate (its transport-cc estimator's target).
        if (pair.availableOutgoingBitrate !== undefined) out.availableOutgoingBitrate = pair.availableOutgoingBitrate;
      }
    }
  });
  return out;
}

// Polls pc.getStats() fast until the first decoded video frame (its time is the figure the tests
// print), then every reportEveryMs, and reports each summary merged with extra(state). Returns the
// state ({firstFrameMs}, page-relative) so callers can derive their own timings from it.
function reportStatsForever(pc, extra, reportEveryMs = 250) {
  const state = { firstFrameMs: null };
  let busy = false;
  let last = null;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const stats = await statsOf(pc);
      if (stats === null && last === null) return;
      const summary = stats === null ? Object.assign({}, last, { statsStalled: true }) : summarize(stats);
      last = summary;
      if (state.firstFrameMs === null && summary.video.framesDecoded > 0) state.firstFrameMs = sinceStartMs();
      await report(Object.assign({ elapsedMs: sinceStartMs(), firstFrameMs: state.firstFrameMs,
                                   connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState },
                                 summary, extra(state)));
    } catch (e) {
      await reportError(e);
    } finally {
      busy = false;
    }
  };
  const fast = setInterval(() => { if (state.firstFrameMs === null) tick(); else clearInterval(fast); }, 20);
  setInterval(tick, reportEveryMs);
  return state;
}

// Restricts a video transceiver to one codec ('vp8' | 'h264' | '' for the browser's default), keeping
// the resilience codecs, as a WHIP/WHEP client with a codec setting does.
// Adds the dependency descriptor (AV1 RTP specification, appendix A) to what the transceiver offers.
function offerDependencyDescriptor(transceiver) {
  const uri = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
  if (!transceiver.getHeaderExtensionsToNegotiate) throw new Error('this Chromium cannot choose the header extensions it offers');
  const extensions = transceiver.getHeaderExtensionsToNegotiate();
  const found = extensions.find(e => e.uri === uri);
  if (!found) throw new Error('this Chromium has no dependency descriptor: ' + extensions.map(e => e.uri).join(','));
  found.direction = 'sendrecv';
  transceiver.setHeaderExtensionsToNegotiate(extensions);
}

function preferVideoCodec(transceiver, codec) {
  if (!codec) return;
  const mimeType = 'video/' + codec.toLowerCase();
  const caps = RTCRtpReceiver.getCapabilities('video').codecs;
  const wanted = caps.filter(c => c.mimeType.toLowerCase() === mimeType);
  if (!wanted.length) throw new Error('this Chromium has no ' + mimeType + ' (' + caps.map(c => c.mimeType).join(',') + ')');
  const extra = caps.filter(c => ['video/rtx', 'video/red', 'video/ulpfec'].includes(c.mimeType.toLowerCase()));
  transceiver.setCodecPreferences(wanted.concat(extra));
}
