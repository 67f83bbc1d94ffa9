/** Search page: being built this session (issue 9); the shell routes here already. */
export default function SearchPage() {
  return <h1>Search</h1>;
}
