"""The reference for gradient boosting: XGBoost's scikit-learn API with tree_method='hist'.

    boosting.py CSV TARGET TASK PARAMS_JSON THREADS
        fits XGBRegressor or XGBClassifier on the rows of part 'train' and prints
        {"score": r2 or accuracy on the rows of part 'test'}
    boosting.py CSV TARGET TASK --forest PARAMS_JSON
        the same with scikit-learn's RandomForestRegressor or RandomForestClassifier
    boosting.py CSV TARGET TASK --booster DOCUMENT
    either with --missing K first: x1 is missing (NaN) in the rows whose id is a multiple of K
        loads the booster an export document embeds (xgboost.Booster().load_model)
        and prints its predictions on the test rows, margins for regression and the
        probability of the second class for two classes, as doubles of the float32s,
        and its importances (get_score: gain, total_gain, weight) by feature
"""
import csv
import json
import sys
import tempfile

import numpy as np
import xgboost as xgb
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, r2_score

FEATURES = ['x1', 'x2', 'x3', 'x4', 'x5']


def load(path, target, task, missing):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if missing and int(r['id']) % missing == 0:
            r['x1'] = 'nan'
    out = {}
    for part in ('train', 'test'):
        sel = [r for r in rows if r['part'] == part]
        x = np.array([[float(r[c]) for c in FEATURES] for r in sel], dtype=np.float32)
        if task == 'regression':
            y = np.array([float(r[target]) for r in sel])
        else:
            # classes in sort order, as modelmgr numbers them
            classes = sorted({r[target] for r in rows})
            y = np.array([classes.index(r[target]) for r in sel])
        out[part] = (x, y)
    return out


def main():
    args = sys.argv[1:]
    missing = 0
    if args[0] == '--missing':
        missing = int(args[1])
        args = args[2:]
    sys.argv[1:] = args
    path, target, task = sys.argv[1:4]
    data = load(path, target, task, missing)
    x_test, y_test = data['test']
    if sys.argv[4] == '--booster':
        with open(sys.argv[5]) as f:
            doc = json.load(f)
        with tempfile.NamedTemporaryFile('w', suffix='.json') as tmp:
            json.dump(doc['model']['booster'], tmp)
            tmp.flush()
            booster = xgb.Booster()
            booster.load_model(tmp.name)
        pred = booster.predict(xgb.DMatrix(x_test))
        importance = {kind: {FEATURES[int(k[1:])]: v for k, v in booster.get_score(importance_type=kind).items()}
                      for kind in ('gain', 'total_gain', 'weight')}
        print(json.dumps({'predictions': [repr(float(v)) for v in np.asarray(pred).ravel()],
                          'importance': importance}))
        return
    if sys.argv[4] == '--forest':
        cls = RandomForestRegressor if task == 'regression' else RandomForestClassifier
        model = cls(random_state=0, **json.loads(sys.argv[5]))
    else:
        cls = xgb.XGBRegressor if task == 'regression' else xgb.XGBClassifier
        model = cls(tree_method='hist', n_jobs=int(sys.argv[5]), random_state=0, **json.loads(sys.argv[4]))
    model.fit(*data['train'])
    pred = model.predict(x_test)
    score = r2_score(y_test, pred) if task == 'regression' else accuracy_score(y_test, pred)
    print(json.dumps({'score': float(score), 'n_test': len(y_test)}))


main()
