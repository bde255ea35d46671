// GraphiQL against this server's /graphql. Headers typed in the Headers tab (for
// example {"Authorization": "Bearer <token>"}) are sent with each request.
(function () {
  "use strict";
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolbarTabs: "headers",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false
  }));
})();
