"""The project's own NLU pieces (imported by tools/build_spacy_pipeline.py, which packs
mixed_tokenizer.py into the spaCy pipeline en_ttps_pipeline)."""
