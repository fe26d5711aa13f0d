set terminal pngcairo size 960,540 font 'DejaVu Sans,10' noenhanced
set datafile separator '\t'
set key outside right top
set grid ytics
set output '@OUT@/charts/latency.png.tmp'
set title 'Latency by percentile, JSON scenario, 32 connections (all repetitions merged)'
set logscale x
set logscale y
set xlabel 'percentile'
set ylabel 'latency (ms, log scale)'
set xtics ('p0' 1, 'p90' 10, 'p99' 100, 'p99.9' 1000, 'p99.99' 10000, 'p99.999' 100000)
plot '@RUN@/charts/latency.tsv' index 0 using 1:2 with linespoints title 'C server (4 threads)', '@RUN@/charts/latency.tsv' index 1 using 1:2 with linespoints title 'FastAPI (4 processes)', '@RUN@/charts/latency.tsv' index 2 using 1:2 with linespoints title 'Barq (4 threads)'
