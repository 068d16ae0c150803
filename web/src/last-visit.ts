// When this browser last had a campaign's board open (localStorage "lookout:last-visit:<campaign>", an ISO
// time in the server's clock). Unreadable storage (private mode, quota, a hand-edited value) reads as "no
// visit", so the panel shows recent changes instead of guessing.
const storageKey = (campaign: string) => `lookout:last-visit:${campaign}`;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function lastVisit(campaign: string): string | null {
  try {
    const value = localStorage.getItem(storageKey(campaign));
    return value !== null && ISO.test(value) && Number.isFinite(Date.parse(value)) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers `iso` as the last visit unless a later one is stored (another tab); false when storage refused. */
export function rememberVisit(campaign: string, iso: string): boolean {
  try {
    const prev = lastVisit(campaign);
    if (prev === null || Date.parse(prev) < Date.parse(iso)) localStorage.setItem(storageKey(campaign), iso);
    return true;
  } catch {
    return false;
  }
}
