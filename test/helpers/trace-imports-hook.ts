/** Module resolve hook (runs on Node's loader thread): reports each resolved module on stderr. */
export async function resolve(
  specifier: string,
  context: unknown,
  next: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  process.stderr.write(`imported ${resolved.url}\n`);
  return resolved;
}
