"""Builds the offline map page (a folium/Leaflet HTML file) from domain data. Free of Qt: the
window shows the file in a web view, `hazardmap map-html` writes it for any browser.

mapping.options is light (layer names, basemaps, datum of the page); mapping.page needs folium."""
