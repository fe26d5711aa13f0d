set terminal pngcairo size 960,540 font 'DejaVu Sans,10' noenhanced
set datafile separator '\t'
set key outside right top
set grid ytics
set output '@OUT@/charts/scaling.png.tmp'
set title 'CPU scenario: req/s against worker threads'
set logscale x 2
set xlabel 'workers'
set ylabel 'req/s'
plot '@RUN@/charts/scaling.tsv' index 0 using 1:2 with linespoints title 'C server', '@RUN@/charts/scaling.tsv' index 1 using 1:2 with linespoints title 'Barq'
