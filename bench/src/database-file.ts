/** The reference server keeps its SQLite file under this name in DATA_DIR (see its server.ts). */
export const DATABASE_FILE = 'hirechat.sqlite';
