/** Body types the contract accepts where it says "JSON or form". */
export const FORM_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
