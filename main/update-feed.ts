/**
 * Where updates come from (issue 12): the published feed. The environment may point a
 * development build at a test feed; a packaged build ignores it, so nothing in the user's
 * environment can swap the app's update source.
 */
export const publishedFeed = 'https://updates.holdfast.invalid/desktop'

/** The feed URL for this build. */
export function updateFeedUrl(
  isPackaged: boolean,
  env: Record<string, string | undefined>,
): string {
  const override = env.HOLDFAST_UPDATE_FEED
  return !isPackaged && override ? override : publishedFeed
}
