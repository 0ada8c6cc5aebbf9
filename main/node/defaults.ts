/** Ports both runtimes use unless told otherwise (the CLI's flags, the desktop app's options). */
export const DEFAULT_API_PORT = 7545;
export const DEFAULT_P2P_PORT = 7546;
