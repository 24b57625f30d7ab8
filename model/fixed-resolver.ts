/**
 * docker's fixed resolver address on user networks: inside the container it leads to the
 * stack's DNS server on the first interface's gateway (executor/host/linux/fixed-resolver.ts).
 * Configs hard-code it (`resolver 127.0.0.11` in nginx); the gateway changes between `up`s.
 */
export const FIXED_RESOLVER = '127.0.0.11';
