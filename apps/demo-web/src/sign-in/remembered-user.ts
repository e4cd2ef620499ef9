/** The tab remembers who signed in, so that a reload keeps them; each tab may be someone else. */
const KEY = 'hirechat-demo-user';

export const rememberedUser = (): string | null => sessionStorage.getItem(KEY);
export const rememberUser = (id: string): void => sessionStorage.setItem(KEY, id);
export const forgetUser = (): void => sessionStorage.removeItem(KEY);
