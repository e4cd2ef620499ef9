import { BODY_MEDIA_TYPES } from '@hirechat/protocol';

/** Body types the contract accepts where it says "JSON or form". */
export const FORM_TYPES = Object.values(BODY_MEDIA_TYPES);
