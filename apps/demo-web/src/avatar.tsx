/** Background and ink pairs; a person keeps theirs, picked by their name. */
const PALETTE = [
  ['#dfe7fb', '#274a9c'],
  ['#dcf2e6', '#1f6b43'],
  ['#fbe6d8', '#8a4318'],
  ['#efe0f7', '#6a2d8a'],
  ['#fde2e4', '#9b2335'],
] as const;

/** A person's initials in a circle of their colour. */
export function Avatar({ name }: { name: string }) {
  const initials = name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const [background, color] = PALETTE[hash % PALETTE.length]!;
  return (
    <span className="avatar" aria-hidden="true" style={{ background, color }}>
      {initials}
    </span>
  );
}
