/** Submit page: being built this session (issue 9); the shell routes here already. */
export default function SubmitPage() {
  return <h1>Submit</h1>;
}
