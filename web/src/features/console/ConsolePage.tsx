/** Console page: being built this session (issue 9); the shell routes here already. */
export default function ConsolePage() {
  return <h1>Console</h1>;
}
