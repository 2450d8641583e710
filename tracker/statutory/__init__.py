"""The PCC office's statutory responses (s55 Police Act 1996), from request to publication.

`content` reads (stages, the statutory deadline, what the document says, what is missing);
`services` writes (request, comments, drafting, approval, publication, copies sent). Import
from those modules; this module holds only this description.
"""
