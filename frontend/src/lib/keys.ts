/** Keyboard movement through a list of suggestions: -1 means "nothing highlighted" (the typed text). */
export function moveHighlight(current: number, count: number, key: string): number {
  if (count === 0) return -1
  if (key === 'ArrowDown') return current + 1 >= count ? 0 : current + 1
  if (key === 'ArrowUp') return current <= 0 ? count - 1 : current - 1
  if (key === 'Escape') return -1
  return current
}
