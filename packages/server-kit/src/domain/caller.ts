/** Roles a token may claim. Only `admin` changes what a caller may do: it may create any room. */
export const ROLES = ['recruiter', 'client', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request, as the identity port verified it. */
export interface Caller {
  /** User UUID, lowercase. */
  id: string;
  email: string | null;
  name: string | null;
  role: Role | null;
}
