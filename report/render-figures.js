// Renders Vega-Lite specifications to SVG with Vega's node API (no browser, no canvas).
//   node render-figures.js SPEC_DIR OUT_DIR
// Each SPEC_DIR/NAME.vl.json becomes OUT_DIR/NAME.svg. hemsim runs this script (embedded
// in the binary, beside the embedded vega and vega-lite bundles) for `report --figures`;
// it also runs as is from report/ with the npm packages.
'use strict';
const fs = require('fs');
const path = require('path');
const vega = require('vega');
const vegaLite = require('vega-lite');

async function main() {
  const [specDir, outDir] = process.argv.slice(2);
  if (!specDir || !outDir) throw new Error('usage: node render-figures.js SPEC_DIR OUT_DIR');
  const files = fs.readdirSync(specDir).filter((f) => f.endsWith('.vl.json')).sort();
  for (const file of files) {
    const spec = JSON.parse(fs.readFileSync(path.join(specDir, file), 'utf8'));
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    if (!svg.includes('role-mark')) throw new Error(`${file}: no marks drawn`);
    fs.writeFileSync(path.join(outDir, file.replace(/\.vl\.json$/, '.svg')), svg);
  }
}

main().catch((err) => {
  console.error(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
