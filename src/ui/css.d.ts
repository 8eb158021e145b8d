// Stylesheets imported as text (esbuild's text loader in scripts/build-ui.mjs).
declare module '*.css' {
  const text: string;
  export default text;
}
