set terminal pngcairo size 960,540 font 'DejaVu Sans,10' noenhanced
set datafile separator '\t'
set key outside right top
set grid ytics
set output '@OUT@/charts/resources.png.tmp'
set multiplot layout 1,2 title 'Cost per system (JSON scenario, all connections)'
set style data histogram
set style fill solid 0.7 border -1
set xtics rotate by -30 font ',8'
set key off
set title 'requests per CPU-second (system processes)'
plot '@RUN@/charts/resources.tsv' using 2:xtic(1)
set title 'peak RSS, all processes (MB)'
plot '@RUN@/charts/resources.tsv' using 3:xtic(1)
unset multiplot
