//! The report's one stylesheet and one script, inlined in the page and allowed by the
//! Content-Security-Policy through their SHA-256 hashes (no `'unsafe-inline'`).

use base64::Engine;
use sha2::{Digest, Sha256};

/// Okabe & Ito (2008) colour-blind-safe palette, in the order categories take it.
pub const PALETTE: [&str; 8] = [
    "#0072B2", // blue
    "#E69F00", // orange
    "#009E73", // bluish green
    "#CC79A7", // reddish purple
    "#56B4E9", // sky blue
    "#D55E00", // vermillion
    "#F0E442", // yellow
    "#000000", // black
];
/// More frequent in NEW (significant).
pub const RISE: &str = "#0072B2";
/// Less frequent in NEW (significant).
pub const FALL: &str = "#D55E00";
/// Not significant.
pub const NEUTRAL: &str = "#BBBBBB";

pub const STYLE: &str = r#"
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:64rem;padding:0 .75rem 3rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem;line-height:1.2;margin:1.2rem 0 .4rem}
h2{font-size:1.35rem;margin:2.2rem 0 .5rem;padding-top:.6rem;border-top:3px solid #0072B2}
h3{font-size:1.1rem;margin:1.4rem 0 .3rem}
h4{font-size:1rem;margin:1rem 0 .2rem;overflow-wrap:anywhere}
p,li,dd{overflow-wrap:anywhere}
nav ul{display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;list-style:none;margin:.5rem 0}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f4;padding:.5rem;border-radius:4px}
.lead{font-size:1.08rem}
.note{color:#444;font-size:.92rem}
.warn{border-left:4px solid #D55E00;padding:.3rem .7rem;background:#fff4ec}
.scroll{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;font-size:.88rem;margin:.4rem 0 1rem}
th,td{border-bottom:1px solid #ddd;padding:.2rem .45rem;text-align:left;vertical-align:top}
td{overflow-wrap:break-word}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600}
td.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.75rem;word-break:break-all;min-width:9rem}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;text-align:inherit;color:inherit}
th button::after{content:" \2195";color:#888}
th[aria-sort=ascending] button::after{content:" \2191"}
th[aria-sort=descending] button::after{content:" \2193"}
.pair{display:block}
figure svg{max-width:50rem}
figure{margin:.5rem 0 1rem;min-width:0}
figcaption{font-size:.9rem;color:#333;margin-bottom:.3rem}
svg{display:block;width:100%;height:auto;max-width:100%}
svg.swatch{display:inline-block;width:12px;height:12px;vertical-align:-1px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1a1a1a}
svg a:focus rect,svg a:hover rect{stroke:#000;stroke-width:1.5}
details{border:1px solid #ddd;border-radius:4px;margin:.4rem 0;padding:.2rem .6rem}
summary{cursor:pointer;font-weight:600;overflow-wrap:anywhere}
ol.hits{padding-left:1.6rem;margin:.2rem 0 .6rem}
ol.hits li{margin:.15rem 0}
.cite{font-weight:600;white-space:nowrap;margin-right:.4rem}
mark{background:#F0E442;padding:0 .1em}
:target{outline:3px solid #E69F00;outline-offset:2px}
footer{margin-top:3rem;font-size:.85rem;color:#555}
@media print{
 body{max-width:none;font-size:10pt;padding:0}
 nav,th button::after{display:none}
 h2{break-before:page;border-top:0}
 h2#method-title{break-before:avoid}
 figure,tr,li{break-inside:avoid}
 .pair{display:block}
 .scroll{overflow:visible}
 a{color:inherit;text-decoration:none}
 details{border:0;padding:0}
 details::details-content{content-visibility:visible;display:block}
 summary{list-style:none}
}
"#;

pub const SCRIPT: &str = r#"
(function(){
 function cellValue(row,i){var t=row.cells[i]?row.cells[i].textContent.trim():'';return /^[-+]?[0-9][0-9,]*(\.[0-9]+)?%?$/.test(t)?t.replace(/,/g,''):t}
 function isNumber(s){return /^[-+]?[0-9]*\.?[0-9]+%?$/.test(s)}
 document.querySelectorAll('table.sortable').forEach(function(table){
  var heads=table.tHead?table.tHead.rows[0].cells:[];
  Array.prototype.forEach.call(heads,function(th,i){
   var b=document.createElement('button');b.type='button';b.textContent=th.textContent;
   th.textContent='';th.appendChild(b);
   b.addEventListener('click',function(){
    var asc=th.getAttribute('aria-sort')!=='ascending';
    Array.prototype.forEach.call(heads,function(o){o.removeAttribute('aria-sort')});
    th.setAttribute('aria-sort',asc?'ascending':'descending');
    var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
     var x=cellValue(a,i),y=cellValue(b,i);
     var c=isNumber(x)&&isNumber(y)?parseFloat(x)-parseFloat(y):x.localeCompare(y);
     return asc?c:-c});
    rows.forEach(function(r){body.appendChild(r)});
   });
  });
 });
 function openTarget(){
  var id=decodeURIComponent(location.hash.slice(1)),e=id&&document.getElementById(id);
  for(;e;e=e.parentElement){if(e.tagName==='DETAILS'){e.open=true}}
 }
 window.addEventListener('hashchange',openTarget);openTarget();
})();
"#;

/// `'sha256-…'`, the CSP source that allows exactly this inline text.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page's Content-Security-Policy: nothing may load, only this stylesheet and script run.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hash_is_base64_sha256() {
        // printf 'abc' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("abc"),
            "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"
        );
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
    }
}
