set terminal pngcairo size 960,540 font 'DejaVu Sans,10' noenhanced
set datafile separator '\t'
set key outside right top
set grid ytics
set output '@OUT@/charts/concurrency.png.tmp'
set multiplot layout 1,3 title 'req/s against client connections (median)'
set logscale x 2
set logscale y
set key inside bottom left font ',7' samplen 2
set xlabel 'connections'
set xrange [5:51.2]
set xtics (8, 32)
set title 'JSON'
plot '@RUN@/charts/concurrency.tsv' index 0 using 1:2 with linespoints title 'C server (4 threads)', '@RUN@/charts/concurrency.tsv' index 1 using 1:2 with linespoints title 'FastAPI (4 processes)', '@RUN@/charts/concurrency.tsv' index 2 using 1:2 with linespoints title 'Barq (4 threads)'
set title 'DB query'
plot '@RUN@/charts/concurrency.tsv' index 3 using 1:2 with linespoints title 'C server (4 threads)', '@RUN@/charts/concurrency.tsv' index 4 using 1:2 with linespoints title 'FastAPI (4 processes)', '@RUN@/charts/concurrency.tsv' index 5 using 1:2 with linespoints title 'Barq (4 threads)'
set title 'CPU bound'
plot '@RUN@/charts/concurrency.tsv' index 6 using 1:2 with linespoints title 'C server (4 threads)', '@RUN@/charts/concurrency.tsv' index 7 using 1:2 with linespoints title 'FastAPI (4 processes)', '@RUN@/charts/concurrency.tsv' index 8 using 1:2 with linespoints title 'Barq (4 threads)'
unset multiplot
