/**
 * What the browser can gather host candidates on right now, from a throwaway PeerConnection
 * (issue 13): the ICE restart policy restarts again the moment a new address shows up here,
 * instead of waiting out a restart that gathered on Chromium's stale list of interfaces.
 * Host candidates only (no ICE servers), so it costs a few milliseconds and no traffic.
 */

/**
 * The addresses of the host candidates; rejects when gathering (the offer included: right
 * after a network change Chromium can be slow to make one) did not finish in `timeoutMs`.
 */
export async function gatherableAddresses(timeoutMs = 300): Promise<string[]> {
  const pc = new RTCPeerConnection({ iceServers: [] })
  const addresses = new Set<string>()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const finished = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
      pc.addEventListener('icecandidate', (event) => {
        if (!event.candidate) resolve(true)
        else if (event.candidate.address && event.candidate.type === 'host')
          addresses.add(event.candidate.address)
      })
      pc.createDataChannel('gathering-probe')
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch(() => resolve(false))
    })
    if (!(await finished)) throw new Error('gathering did not finish in time')
    return [...addresses]
  } finally {
    clearTimeout(timer)
    pc.close()
  }
}
