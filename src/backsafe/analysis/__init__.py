"""The steps of one analysis between the stages that ``pipeline.analyze_pose`` runs in order: measuring, checking
the exercise and the clip, the back's outline, and putting the report together. Each module does one of them;
none knows the order (pipeline.py does)."""
