// The app's entry (site/app.js): renders the App into the page. Heavy work runs in ./app-worker.js.
import { render } from 'preact';
import { App } from './App.js';

render(<App />, document.getElementById('app')!);
