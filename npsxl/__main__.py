from npsxl.cli import main

main()
