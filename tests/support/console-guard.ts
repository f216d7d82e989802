/** A console.error nobody expected fails the test that caused it. */
export function failOnConsoleError(): void {
  console.error = (...args: unknown[]) => {
    throw new Error(`unexpected console.error: ${args.map(String).join(' ')}`);
  };
}
