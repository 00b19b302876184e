export default async function x(a: string[]): Promise<number> { void a; return 0; }
