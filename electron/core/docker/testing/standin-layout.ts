/** Where things sit inside a contract stand-in image (shared by the image builder and the runtime). */
export const STANDIN_DIR = '/standin';
export const NODE_PATH = `${STANDIN_DIR}/node`;
export const RUNTIME_PATH = `${STANDIN_DIR}/standin.mjs`;
export const CONTRACT_PATH = `${STANDIN_DIR}/contract.json`;
/** The runtime's first argument when it is the entrypoint; a tool script passes its own path instead. */
export const MAIN_FLAG = '--standin-main';
/** The tables a database stand-in's psql answers from, next to the server's Unix socket (standin-psql.ts). */
export const STANDIN_TABLES_FILE = 'homeport-standin-tables.json';
